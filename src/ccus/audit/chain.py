"""The hash chain of the audit log and its signed checkpoints.

Each entry carries a sequence number and the SHA-256 hash of the previous
entry's hash and its own canonical bytes, so changing, removing, inserting
or reordering an entry breaks every later link. Every ``CHECKPOINT_EVERY``
entries, and at the first entry after ``CHECKPOINT_SECONDS`` without one, a
checkpoint signs the head hash with the Ed25519 audit key, so that a chain
rewritten from some point on fails against the signatures.

Several API processes append to one chain. The head row
(``audit_chain_head``) is locked by an UPDATE before it is read, so appends
are serialised by the database (a row lock on PostgreSQL, the write lock on
SQLite) and commit in sequence order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ccus.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

GENESIS_HASH = bytes(32)
CHECKPOINT_EVERY = 1000
CHECKPOINT_SECONDS = 60
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "request_id",
    "actor_kind",
    "actor_id",
    "actor_company_id",
    "client_id",
    "action",
    "resource",
    "worker_id",
    "site_id",
    "field_groups",
    "basis",
    "decision",
    "purpose",
)


def canonical_bytes(entry: dict[str, Any]) -> bytes:
    """Serialise the hashed fields of an entry in one fixed way."""
    values = {name: entry[name] for name in HASHED_FIELDS}
    moment = values["occurred_at"]
    if isinstance(moment, datetime):
        # The database returns times in UTC, so they are hashed in UTC too.
        values["occurred_at"] = moment.astimezone(UTC).isoformat()
    return json.dumps(
        values, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def link_hash(previous: bytes, entry: dict[str, Any]) -> bytes:
    return hashlib.sha256(previous + canonical_bytes(entry)).digest()


def checkpoint_message(seq: int, entry_hash: bytes, created_at: datetime) -> bytes:
    return (
        b"ccus.audit.checkpoint.v1\x00"
        + json.dumps(
            [seq, entry_hash.hex(), created_at.astimezone(UTC).isoformat()]
        ).encode()
    )


class AuditChain:
    """Append entries to the chain and sign checkpoints."""

    def __init__(self, signing_key: Ed25519PrivateKey, key_id: str) -> None:
        self._signing_key = signing_key
        self._key_id = key_id

    def append(
        self, session: Session, entries: Iterable[dict[str, Any]], now: datetime
    ) -> None:
        """Link and insert ``entries`` after the head; the caller commits."""
        rows = list(entries)
        if not rows:
            return
        # The no-op UPDATE takes the head's write lock before it is read, so
        # that no other transaction can append between the read and the commit.
        session.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .values(seq=AuditChainHead.seq)
        )
        head = session.get(AuditChainHead, 1, populate_existing=True)
        if head is None:
            raise RuntimeError("audit_chain_head has no row; run 'ccus migrate'")
        seq, previous = head.seq, head.entry_hash
        checkpoint_due = seq // CHECKPOINT_EVERY
        for row in rows:
            seq += 1
            row["seq"] = seq
            row["prev_hash"] = previous
            previous = row["entry_hash"] = link_hash(previous, row)
        session.execute(insert(AuditEvent), rows)
        head.seq, head.entry_hash = seq, previous
        stale = head.checkpointed_at is None or now - head.checkpointed_at >= timedelta(
            seconds=CHECKPOINT_SECONDS
        )
        if seq // CHECKPOINT_EVERY > checkpoint_due or stale:
            self._checkpoint(session, seq, previous, now)
            head.checkpointed_at = now

    def _checkpoint(
        self, session: Session, seq: int, entry_hash: bytes, now: datetime
    ) -> None:
        signature = self._signing_key.sign(checkpoint_message(seq, entry_hash, now))
        session.add(
            AuditCheckpoint(
                seq=seq,
                entry_hash=entry_hash,
                created_at=now,
                key_id=self._key_id,
                signature=signature,
            )
        )


def last_entries(session: Session, limit: int) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit))
    )
