"""The isolated registry of the key tests serves the consent tests too."""

from tests.keys.conftest import registry, small_dataset

__all__ = ["registry", "small_dataset"]
