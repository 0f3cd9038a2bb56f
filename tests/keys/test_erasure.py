"""Erasure destroys the data key: nothing of the worker reads afterwards."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.audit.log import AccessContext
from ccus.audit.models import AuditEvent
from ccus.auth.actors import WorkerActor
from ccus.crypto import envelope
from ccus.crypto.keyring import KeyringError, add_local_kek, remove_local_kek
from ccus.db.engine import make_engine
from ccus.errors import ProblemError
from ccus.registry.erasure import AlreadyErased, erase_worker, flush_erased_pages
from ccus.registry.models import Worker, WorkerIndex, WorkerKey
from ccus.registry.rotation import rewrap_all
from tests.conftest import FIXED_NOW
from tests.keys.conftest import Registry
from tests.keys.helpers import assert_all_read_back, open_worker


def erase(registry: Registry, worker_id: str) -> None:
    with registry.services.session() as session:
        assert erase_worker(session, worker_id, FIXED_NOW)
        session.commit()


def test_erased_worker_reads_nothing(registry: Registry) -> None:
    target = registry.dataset.workers[5].worker_id
    erase(registry, target)
    with pytest.raises(envelope.DecryptionError):
        open_worker(registry, target)
    with registry.services.session() as session:
        keys = session.scalars(select(WorkerKey).where(WorkerKey.worker_id == target))
        indexes = session.scalars(
            select(WorkerIndex).where(WorkerIndex.worker_id == target)
        )
        assert list(keys) == []
        assert list(indexes) == []


def test_erasure_spares_other_workers(registry: Registry) -> None:
    target = registry.dataset.workers[5].worker_id
    erase(registry, target)
    for worker in registry.dataset.workers:
        if worker.worker_id != target:
            open_worker(registry, worker.worker_id)


def test_erasing_twice_raises(registry: Registry) -> None:
    target = registry.dataset.workers[6].worker_id
    erase(registry, target)
    with registry.services.session() as session, pytest.raises(AlreadyErased):
        erase_worker(session, target, FIXED_NOW)


def test_unknown_worker_not_erased(registry: Registry) -> None:
    with registry.services.session() as session:
        assert erase_worker(session, "99999999999999", FIXED_NOW) is False


def test_backup_unreadable_after_kek_retired(
    registry: Registry, tmp_path: Path
) -> None:
    if registry.backend.kind != "sqlite":
        pytest.skip("a file copy stands for the backup on SQLite")
    target = registry.dataset.workers[7].worker_id
    database = Path(registry.backend.url.removeprefix("sqlite:///"))
    with registry.services.session() as session:
        session.connection().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    backup = tmp_path / "backup.sqlite3"
    shutil.copy(database, backup)
    erase(registry, target)

    services = registry.services
    old = services.vault.provider.active_kek_id()
    add_local_kek(registry.keys_dir)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    rewrap_all(services.sessions, services.vault)
    remove_local_kek(registry.keys_dir, old)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]

    engine = make_engine(f"sqlite:///{backup}")
    with Session(engine) as session:
        old_row = session.scalar(select(WorkerKey).where(WorkerKey.worker_id == target))
        assert old_row is not None
        session.expunge(old_row)
    engine.dispose()
    with pytest.raises(KeyringError):
        services.vault.data_key(old_row)
    kept = tuple(w for w in registry.dataset.workers if w.worker_id != target)
    registry.dataset = dataclasses.replace(registry.dataset, workers=kept)
    assert_all_read_back(registry)


def test_erased_worker_gets_404(registry: Registry) -> None:
    target = registry.dataset.workers[0].worker_id
    erase(registry, target)
    actor = WorkerActor(subject=target, client_id="test")
    context = AccessContext(
        actor=actor,
        request_id="r1",
        now=FIXED_NOW,
        chain=registry.services.audit_chain,
    )
    with registry.services.session() as session, pytest.raises(ProblemError) as caught:
        registry.services.read_path.read_worker(session, context, target)
    assert caught.value.status == 404
    with registry.services.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.request_id == "r1"))
    assert event is not None
    assert event.decision == "deny"
    assert event.worker_id == target


def test_erased_key_gone_from_files(registry: Registry) -> None:
    if registry.backend.kind != "sqlite":
        pytest.skip("PostgreSQL keeps dead rows until VACUUM; see docs/keys.md")
    target = registry.dataset.workers[8].worker_id
    with registry.services.session() as session:
        wrapped = session.scalar(
            select(WorkerKey.wrapped_key).where(WorkerKey.worker_id == target)
        )
        identity = session.scalar(
            select(Worker.identity_ct).where(Worker.worker_id == target)
        )
    assert wrapped is not None and identity is not None
    with registry.services.session() as session:
        assert erase_worker(session, target, FIXED_NOW)
        session.commit()
        flush_erased_pages(session)
    database = Path(registry.backend.url.removeprefix("sqlite:///"))
    blob = b"".join(
        path.read_bytes() for path in database.parent.glob(database.name + "*")
    )
    assert wrapped not in blob
    assert identity not in blob
