"""A small registry of its own for tests that rotate or destroy keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.dataset import Dataset, build_dataset
from ccus.demo.load import load_dataset
from ccus.services import Services, build_services
from tests.conftest import (
    FIXED_NOW,
    Backend,
    _drop_postgres_database,
    _new_postgres_database,
    fixed_clock,
    postgres_admin_url,
    settings_for,
)


@dataclass
class Registry:
    """Services over a freshly loaded database with its own keyring."""

    services: Services
    dataset: Dataset
    keys_dir: Path
    backend: Backend


@pytest.fixture(scope="session")
def small_dataset() -> Dataset:
    return build_dataset(workers=40, days=20)


@pytest.fixture(params=["sqlite", "postgres"])
def registry(
    request: pytest.FixtureRequest, tmp_path: Path, small_dataset: Dataset
) -> Iterator[Registry]:
    keys_dir = tmp_path / "keys"
    create_local_keyring(keys_dir)
    dropped: tuple[str, str] | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ccus.sqlite3'}"
    else:
        admin_url = postgres_admin_url()
        if not admin_url:
            pytest.skip("CCUS_TEST_POSTGRES_URL is not set")
        name, url = _new_postgres_database(admin_url)
        dropped = (admin_url, name)
    upgrade(url)
    services = build_services(settings_for(url, keys_dir), fixed_clock)
    with services.session() as session:
        load_dataset(
            session, small_dataset, services.vault, FIXED_NOW, indexer=services.indexer
        )
    yield Registry(services, small_dataset, keys_dir, Backend(request.param, url))
    services.sessions.kw["bind"].dispose()
    if dropped:
        _drop_postgres_database(*dropped)
