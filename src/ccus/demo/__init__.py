"""Deterministic, fictional demo data for the CCUS API."""
