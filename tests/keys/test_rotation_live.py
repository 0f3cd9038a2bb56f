"""Rotation runs while the service keeps answering reads."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from ccus.crypto.keyring import add_local_kek
from ccus.registry.rotation import reencrypt_all, rewrap_all
from tests.conftest import LiveServer, fixed_clock
from tests.e2e.helpers import actor_of, personas
from tests.keys.conftest import Registry


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()


def test_reads_succeed_during_rotation(server: LiveServer, registry: Registry) -> None:
    services = registry.services
    site_id = personas(services)["site_id"]
    statuses: list[int] = []
    during: list[int] = []
    rotating = threading.Event()
    stop = threading.Event()

    def read_continuously() -> None:
        with server.client(actor_of(services, "prime")) as client:
            while not stop.is_set() and len(statuses) < 2000:
                page = client.get(f"/sites/{site_id}/roster", params={"limit": 20})
                statuses.append(page.status_code)
                if rotating.is_set():
                    during.append(page.status_code)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        # Rotation starts only once reads are flowing, so that they overlap.
        deadline = time.monotonic() + 30
        while len(statuses) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        rotating.set()
        add_local_kek(registry.keys_dir)
        services.vault.provider._source.refresh()  # type: ignore[attr-defined]
        assert rewrap_all(services.sessions, services.vault, batch_size=1) > 0
        reencrypt_all(
            services.sessions,
            services.vault,
            fixed_clock,
            batch_size=1,
            grace_seconds=0.5,
        )
    finally:
        stop.set()
        reader.join(timeout=60)
    assert len(during) >= 1
    assert set(statuses) == {200}
