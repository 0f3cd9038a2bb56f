"""Worlds for the scope tests: the session's demo server and a scratch one."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ccus.demo.dataset import Dataset
from tests.conftest import LiveServer
from tests.e2e.test_contract import World, build_world, served_registry
from tests.keys.conftest import small_dataset

# The fixture of the scratch world's data set, exported for pytest to find.
__all__ = ["small_dataset"]


@pytest.fixture(scope="module")
def shared_world(server: LiveServer) -> Iterator[World]:
    """The session's demo server, for requests that change no data."""
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        yield build_world(server, http)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def scratch_world(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    small_dataset: Dataset,
) -> Iterator[World]:
    """A small demo data set served for one module, for requests that write."""
    folder = tmp_path_factory.mktemp("scopes")
    with (
        served_registry(request.param, folder, small_dataset) as live,
        httpx.Client(base_url=live.base_url, timeout=30) as http,
    ):
        yield build_world(live, http)
