"""Run Alembic migrations from the ``migrations/`` folder."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from ccus.db.engine import normalise_url

MIGRATIONS_DIR = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(database_url: str) -> Config:
    """Build an Alembic config for ``database_url``.

    The migrations live beside ``src/`` in the source tree, so the package
    must be installed from a checkout (``pip install -e .``).
    """
    if not MIGRATIONS_DIR.is_dir():
        raise RuntimeError(
            f"migrations folder {MIGRATIONS_DIR} is missing; install ccus from "
            "a source checkout with 'pip install -e .'"
        )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = normalise_url(database_url)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
