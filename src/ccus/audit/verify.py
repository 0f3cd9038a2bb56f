"""Verify the audit chain and its checkpoints, naming the first bad entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccus.audit.chain import GENESIS_HASH, HASHED_FIELDS, checkpoint_message, link_hash
from ccus.audit.models import AuditChainHead, AuditCheckpoint, AuditEvent

BATCH = 5000


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome: counts, and the first problem found (None if sound)."""

    entries: int
    checkpoints: int
    problem: str | None = None
    first_bad_seq: int | None = None


def _entries(session: Session) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last)
            .order_by(AuditEvent.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def _entry_dict(row: AuditEvent) -> dict[str, object]:
    return {name: getattr(row, name) for name in HASHED_FIELDS}


def verify_chain(
    session: Session,
    public_keys: dict[str, Ed25519PublicKey],
    progress: Callable[[int], None] = lambda count: None,
) -> Verification:
    """Walk the whole chain in sequence order and check every link and checkpoint."""
    expected, previous = 1, GENESIS_HASH
    hashes: dict[int, bytes] = {}
    checkpoint_seqs = set(session.scalars(select(AuditCheckpoint.seq)))
    count = 0
    for row in _entries(session):
        count += 1
        if row.seq != expected:
            return Verification(
                count,
                0,
                f"entry seq {expected} is missing: it was removed, or entries "
                f"were renumbered (next entry found is seq {row.seq}, id {row.id})",
                expected,
            )
        if link_hash(row.prev_hash, _entry_dict(row)) != row.entry_hash:
            return Verification(
                count, 0, f"entry seq {row.seq} (id {row.id}) was changed", row.seq
            )
        if row.prev_hash != previous:
            return Verification(
                count,
                0,
                f"entry seq {row.seq} (id {row.id}) does not follow seq "
                f"{row.seq - 1}: an entry was changed, inserted or reordered "
                "at this point",
                row.seq - 1 if row.seq > 1 else row.seq,
            )
        if row.seq in checkpoint_seqs:
            hashes[row.seq] = row.entry_hash
        previous = row.entry_hash
        expected += 1
        if count % BATCH == 0:
            progress(BATCH)
    last_seq = expected - 1
    head = session.get(AuditChainHead, 1)
    if head is None:
        return Verification(count, 0, "the chain head row is missing", last_seq + 1)
    if head.seq < last_seq:
        return Verification(
            count,
            0,
            f"entries after seq {head.seq} were added outside the service "
            f"(the chain head names seq {head.seq}, the last entry is {last_seq})",
            head.seq + 1,
        )
    if head.seq > last_seq:
        return Verification(
            count,
            0,
            f"entries after seq {last_seq} were removed (the chain head names "
            f"seq {head.seq})",
            last_seq + 1,
        )
    if head.entry_hash != previous:
        return Verification(
            count,
            0,
            f"entry seq {last_seq} does not match the chain head: it was changed",
            last_seq,
        )
    return _verify_checkpoints(session, public_keys, hashes, count, last_seq)


def _verify_checkpoints(
    session: Session,
    public_keys: dict[str, Ed25519PublicKey],
    hashes: dict[int, bytes],
    count: int,
    last_seq: int,
) -> Verification:
    checked = 0
    for checkpoint in session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.seq)
    ):
        seq = checkpoint.seq
        key = public_keys.get(checkpoint.key_id)
        if key is None:
            return Verification(
                count,
                checked,
                f"checkpoint at seq {seq} names unknown key {checkpoint.key_id!r}",
                seq,
            )
        message = checkpoint_message(seq, checkpoint.entry_hash, checkpoint.created_at)
        try:
            key.verify(checkpoint.signature, message)
        except InvalidSignature:
            return Verification(
                count, checked, f"checkpoint at seq {seq} has an invalid signature", seq
            )
        if seq > last_seq:
            return Verification(
                count,
                checked,
                f"checkpoint at seq {seq} is beyond the last entry (seq {last_seq}): "
                f"entries after seq {last_seq} were removed",
                last_seq + 1,
            )
        if hashes.get(seq) != checkpoint.entry_hash:
            return Verification(
                count,
                checked,
                f"entry seq {seq} does not match its signed checkpoint: the chain "
                f"was rewritten at or before seq {seq}",
                seq,
            )
        checked += 1
    return Verification(count, checked)


def count_entries(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
