"""A privacy-first API for Japan's Construction Career Up System."""

__version__ = "0.1.0"
