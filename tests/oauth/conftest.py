"""A served registry of its own per test, for the authorization server tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LiveServer
from tests.keys.conftest import Registry, registry, small_dataset

__all__ = ["registry", "server", "small_dataset"]


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()
