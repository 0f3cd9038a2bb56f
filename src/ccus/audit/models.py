"""The audit event table: one row per decision on a worker's data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base, Id14, UTCDateTime


class AuditEvent(Base):
    """An access decision: who read (or tried to read) which field groups, and why.

    Workers appear by id only; no personal value is ever written here.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint("decision IN ('allow', 'deny')", name="decision"),
        Index("ix_audit_events_worker_time", "worker_id", "occurred_at"),
        Index("ix_audit_events_company_time", "actor_company_id", "occurred_at"),
        Index("ix_audit_events_time", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(
        BigInteger, unique=True, comment="Position in the hash chain, from 1"
    )
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    entry_hash: Mapped[bytes] = mapped_column(
        LargeBinary, comment="SHA-256 of prev_hash and the entry's canonical bytes"
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    request_id: Mapped[str] = mapped_column(String(40))
    actor_kind: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[str] = mapped_column(String(80))
    actor_company_id: Mapped[str | None] = mapped_column(Id14())
    client_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    resource: Mapped[str] = mapped_column(String(80))
    worker_id: Mapped[str | None] = mapped_column(Id14())
    site_id: Mapped[str | None] = mapped_column(Id14())
    field_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    basis: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(String(5))
    purpose: Mapped[str | None] = mapped_column(String(80))


class AuditChainHead(Base):
    """The last link of the audit chain: one row, locked by every append."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary)
    checkpointed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditCheckpoint(Base):
    """An Ed25519 signature over the chain's head hash at one sequence number."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(String(80))
    signature: Mapped[bytes] = mapped_column(LargeBinary)
