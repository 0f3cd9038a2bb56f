"""Erasure by destroying a worker's data keys (crypto-shredding).

Deleting every data key version of a worker makes all of their sealed
fields unreadable at once. The worker id stays, because roster entries,
work history and the audit log refer to it. It identifies no one once the
fields are gone.

A backup taken before the erasure still contains the wrapped data key. It
becomes unreadable there too once the key-encryption key that wrapped it
is retired: ``ccus keys rotate-kek``, ``ccus keys rewrap`` and then
``ccus keys retire`` with the previous KEK id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ccus.registry.models import Worker, WorkerIndex, WorkerKey
from ccus.registry.vault import ENCRYPTED_GROUPS, column_of


class AlreadyErased(Exception):
    """The worker's data keys were destroyed before."""


def erase_worker(session: Session, worker_id: str, now: datetime) -> bool:
    """Destroy a worker's data keys and blind indexes; the caller commits.

    Returns False when no such worker exists.

    Raises:
        AlreadyErased: the worker was erased before.
    """
    worker = session.scalar(
        select(Worker).where(Worker.worker_id == worker_id).with_for_update()
    )
    if worker is None:
        return False
    if worker.erased_at is not None:
        raise AlreadyErased(f"worker {worker_id} was erased before")
    session.execute(delete(WorkerKey).where(WorkerKey.worker_id == worker_id))
    session.execute(delete(WorkerIndex).where(WorkerIndex.worker_id == worker_id))
    for group in ENCRYPTED_GROUPS:
        setattr(worker, column_of(group), b"")
    worker.erased_at = now
    worker.updated_at = now
    return True


def flush_erased_pages(session: Session) -> None:
    """Push erased rows out of SQLite's write-ahead log into zeroed pages.

    With ``secure_delete`` on, a checkpoint writes the zeroed pages into the
    database file, and TRUNCATE empties the log file that still held the old
    page images. PostgreSQL keeps dead rows until VACUUM reuses their space,
    so there erasure is final in the files once the KEK is retired.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
