"""Key rotation over the whole registry, in resumable batches.

Every operation commits batch by batch, so it can be interrupted at any
moment and run again, and a running service keeps reading throughout:

- rewrap: wrap every data key again under the active key-encryption key;
- re-encrypt: give workers a new data key version and seal their fields
  again under it, then delete the superseded versions after a grace period
  long enough for reads that began before the switch;
- retire: remove a key-encryption key once no data key needs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, exists, func, select, tuple_
from sqlalchemy.orm import Session, aliased, sessionmaker

from ccus.crypto import envelope
from ccus.registry.models import KeyOperation, Worker, WorkerKey
from ccus.registry.vault import ENCRYPTED_GROUPS, WorkerVault, column_of

Progress = Callable[[int], None]
REENCRYPT = "reencrypt"


class KeyStillInUse(Exception):
    """A key-encryption key still wraps data keys and cannot be retired."""

    def __init__(self, kek_id: str, count: int) -> None:
        super().__init__(
            f"{count} data keys are still wrapped by key-encryption key "
            f"{kek_id!r}; run 'ccus keys rewrap' first"
        )
        self.kek_id = kek_id
        self.count = count


def count_wrapped_by(session: Session, kek_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(WorkerKey)
            .where(WorkerKey.kek_id == kek_id)
        )
        or 0
    )


def pending_rewrap(session: Session, active_kek_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(WorkerKey)
            .where(WorkerKey.kek_id != active_kek_id)
        )
        or 0
    )


def rewrap_all(
    sessions: sessionmaker[Session],
    vault: WorkerVault,
    batch_size: int = 500,
    progress: Progress = lambda count: None,
) -> int:
    """Wrap every data key not under the active KEK again under it.

    Returns the number of data keys rewrapped by this call.
    """
    active = vault.provider.active_kek_id()
    total = 0
    last = ("", 0)
    while True:
        with sessions() as session:
            # Keyset pagination over the primary key keeps every batch an
            # index range scan, so a full rewrap is linear in the key count.
            rows = session.scalars(
                select(WorkerKey)
                .where(
                    tuple_(WorkerKey.worker_id, WorkerKey.version) > tuple_(*last),
                    WorkerKey.kek_id != active,
                )
                .order_by(WorkerKey.worker_id, WorkerKey.version)
                .limit(batch_size)
            ).all()
            if not rows:
                return total
            last = (rows[-1].worker_id, rows[-1].version)
            for row in rows:
                data_key = vault.data_key(row)
                kek_id, wrapped = envelope.wrap_data_key(
                    vault.provider, data_key, row.worker_id, row.version
                )
                row.kek_id, row.wrapped_key = kek_id, wrapped
            session.commit()
        total += len(rows)
        progress(len(rows))


def start_reencryption(session: Session, now: datetime) -> KeyOperation:
    """Return the unfinished re-encryption, or start one cut off at ``now``."""
    operation = session.scalar(
        select(KeyOperation)
        .where(KeyOperation.kind == REENCRYPT, KeyOperation.finished_at.is_(None))
        .order_by(KeyOperation.id)
        .limit(1)
    )
    if operation is None:
        operation = KeyOperation(kind=REENCRYPT, started_at=now, cutoff=now, done=0)
        session.add(operation)
        session.commit()
    return operation


def _stale_workers(
    session: Session, cutoff: datetime, after: str, limit: int
) -> tuple[list[str], str | None]:
    """Return workers after ``after`` whose newest data key predates ``cutoff``.

    Scans ``limit`` worker ids in id order and returns the stale ones among
    them with the last id scanned, or None when no worker is left.
    """
    scanned = list(
        session.scalars(
            select(Worker.worker_id)
            .where(Worker.worker_id > after, Worker.erased_at.is_(None))
            .order_by(Worker.worker_id)
            .limit(limit)
        )
    )
    if not scanned:
        return [], None
    newest = dict(
        session.execute(
            select(WorkerKey.worker_id, func.max(WorkerKey.created_at))
            .where(WorkerKey.worker_id.in_(scanned))
            .group_by(WorkerKey.worker_id)
        ).all()
    )
    stale = [
        worker_id
        for worker_id in scanned
        if worker_id in newest and newest[worker_id] < cutoff
    ]
    return stale, scanned[-1]


def reencrypt_worker(
    session: Session, vault: WorkerVault, worker_id: str, now: datetime
) -> None:
    """Seal every group of a worker again under a new data key version.

    The superseded versions stay until :func:`prune_superseded_keys`.
    """
    worker = session.get(Worker, worker_id, with_for_update=True)
    if worker is None or worker.erased_at is not None:
        return
    keys = {
        row.version: row
        for row in session.scalars(
            select(WorkerKey).where(WorkerKey.worker_id == worker_id)
        )
    }
    new_row, new_key = vault.new_key(worker_id, now, version=max(keys) + 1)
    session.add(new_row)
    data_keys = {version: vault.data_key(row) for version, row in keys.items()}
    for group in ENCRYPTED_GROUPS:
        column = column_of(group)
        blob = getattr(worker, column)
        old_key = data_keys[envelope.sealed_key_version(blob)]
        value = vault.open_group(worker_id, old_key, group, blob)
        setattr(
            worker,
            column,
            vault.seal_group(worker_id, new_key, new_row.version, group, value),
        )
    worker.updated_at = now


def prune_superseded_keys(session: Session, before: datetime) -> int:
    """Delete data key versions that a newer version replaced by ``before``."""
    newer = aliased(WorkerKey)
    result = session.execute(
        delete(WorkerKey).where(
            exists().where(
                newer.worker_id == WorkerKey.worker_id,
                newer.version > WorkerKey.version,
                newer.created_at <= before,
            )
        )
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def reencrypt_all(
    sessions: sessionmaker[Session],
    vault: WorkerVault,
    clock: Callable[[], datetime],
    batch_size: int = 200,
    grace_seconds: float = 5.0,
    progress: Progress = lambda count: None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Re-encrypt every worker whose data key predates the operation.

    Resumes an interrupted operation. Returns the workers re-encrypted by
    this call.
    """
    with sessions() as session:
        operation = start_reencryption(session, clock())
        operation_id, cutoff = operation.id, operation.cutoff
    total = 0
    after: str | None = ""
    while after is not None:
        with sessions() as session:
            worker_ids, after = _stale_workers(session, cutoff, after, batch_size)
            if not worker_ids:
                continue
            now = clock()
            for worker_id in worker_ids:
                reencrypt_worker(session, vault, worker_id, now)
            running = session.get(KeyOperation, operation_id)
            assert running is not None
            running.done += len(worker_ids)
            session.commit()
        total += len(worker_ids)
        progress(len(worker_ids))
    # Reads that loaded a worker row before its switch still need the old
    # key version for a moment.
    sleep(grace_seconds)
    with sessions() as session:
        prune_superseded_keys(session, clock())
        finished = session.get(KeyOperation, operation_id)
        assert finished is not None
        finished.finished_at = clock()
        session.commit()
    return total
