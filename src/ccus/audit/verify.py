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


def _entries(session: Session, through: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > last, AuditEvent.seq <= through)
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


def _ends(session: Session) -> tuple[int, int, int] | None:
    """Return the head's seq and the highest entry and checkpoint seqs.

    One statement reads all three, so they come from one snapshot even
    while the service appends.
    """
    row = session.execute(
        select(
            AuditChainHead.seq,
            select(func.coalesce(func.max(AuditEvent.seq), 0)).scalar_subquery(),
            select(func.coalesce(func.max(AuditCheckpoint.seq), 0)).scalar_subquery(),
        ).where(AuditChainHead.id == 1)
    ).first()
    return None if row is None else (int(row[0]), int(row[1]), int(row[2]))


def verify_chain(
    session: Session,
    public_keys: dict[str, Ed25519PublicKey],
    progress: Callable[[int], None] = lambda count: None,
) -> Verification:
    """Check every link and checkpoint up to the head read at the start.

    The service may go on appending while this runs: entries and checkpoints
    committed after the start are left for the next run, and the checks
    that compare the head with the entries read the three ends in one
    statement.
    """
    head = session.execute(
        select(AuditChainHead.seq, AuditChainHead.entry_hash).where(
            AuditChainHead.id == 1
        )
    ).first()
    if head is None:
        return Verification(0, 0, "the chain head row is missing", 1)
    head_seq, head_hash = int(head[0]), bytes(head[1])
    checkpoint_seqs = set(
        session.scalars(
            select(AuditCheckpoint.seq).where(AuditCheckpoint.seq <= head_seq)
        )
    )
    expected, previous = 1, GENESIS_HASH
    hashes: dict[int, bytes] = {}
    count = 0
    for row in _entries(session, head_seq):
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
    if head_seq > last_seq:
        return Verification(
            count,
            0,
            f"entries after seq {last_seq} were removed (the chain head names "
            f"seq {head_seq})",
            last_seq + 1,
        )
    if head_hash != previous:
        return Verification(
            count,
            0,
            f"entry seq {last_seq} does not match the chain head: it was changed",
            last_seq,
        )
    ends = _ends(session)
    if ends is None:
        return Verification(count, 0, "the chain head row is missing", last_seq + 1)
    now_head, max_entry, max_checkpoint = ends
    if max_entry > now_head:
        return Verification(
            count,
            0,
            f"entries after seq {now_head} were added outside the service "
            f"(the chain head names seq {now_head}, the last entry is {max_entry})",
            now_head + 1,
        )
    if now_head < last_seq or max_entry < last_seq:
        return Verification(
            count,
            0,
            f"entries after seq {min(now_head, max_entry)} were removed while "
            "the chain was being verified",
            min(now_head, max_entry) + 1,
        )
    if max_checkpoint > now_head:
        return Verification(
            count,
            0,
            f"checkpoint at seq {max_checkpoint} is beyond the last entry (seq "
            f"{now_head}): entries after seq {now_head} were removed",
            now_head + 1,
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
        select(AuditCheckpoint)
        .where(AuditCheckpoint.seq <= last_seq)
        .order_by(AuditCheckpoint.seq)
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
