"""Read every sealed value of a registry back, as the read path would."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select

from ccus.crypto import envelope
from ccus.registry.models import Worker, WorkerKey
from ccus.registry.vault import ENCRYPTED_GROUPS, column_of
from tests.keys.conftest import Registry


def as_json(value: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(value))


def open_worker(registry: Registry, worker_id: str) -> dict[str, Any]:
    """Open every sealed group of one worker under the versions they name.

    Raises:
        envelope.DecryptionError: a value or data key does not open.
    """
    vault = registry.services.vault
    with registry.services.session() as session:
        worker = session.get(Worker, worker_id)
        assert worker is not None
        keys = {
            row.version: row
            for row in session.scalars(
                select(WorkerKey).where(WorkerKey.worker_id == worker_id)
            )
        }
    opened = {}
    for group in ENCRYPTED_GROUPS:
        blob = getattr(worker, column_of(group))
        key_row = keys.get(envelope.sealed_key_version(blob))
        if key_row is None:
            raise envelope.DecryptionError()
        opened[group] = as_json(
            vault.open_group(worker_id, vault.data_key(key_row), group, blob)
        )
    return opened


def expected_groups(registry: Registry, worker_id: str) -> dict[str, Any]:
    worker = next(w for w in registry.dataset.workers if w.worker_id == worker_id)
    return {group: as_json(worker.groups[group]) for group in ENCRYPTED_GROUPS}


def assert_all_read_back(registry: Registry) -> None:
    for worker in registry.dataset.workers:
        assert open_worker(registry, worker.worker_id) == expected_groups(
            registry, worker.worker_id
        ), worker.worker_id
