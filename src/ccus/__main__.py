"""Run the command line as ``python -m ccus``."""

from ccus.cli import main

main()
