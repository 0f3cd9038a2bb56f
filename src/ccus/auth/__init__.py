"""Authentication: bearer tokens to actors."""
