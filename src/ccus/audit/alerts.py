"""The alert table: one row per poaching pattern found in the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base, Id14, UTCDateTime


class AuditAlert(Base):
    """A detector rule that fired for one company, with the entries behind it.

    Workers appear only as a count, and the evidence is audit entry sequence
    numbers, so no personal value is written here.
    """

    __tablename__ = "audit_alerts"
    __table_args__ = (
        Index("ix_audit_alerts_company", "company_id", "id"),
        Index("ix_audit_alerts_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(40))
    company_id: Mapped[str] = mapped_column(Id14(), comment="The acting company")
    client_id: Mapped[str] = mapped_column(
        String(80), comment="Client of the entry that crossed the threshold"
    )
    workers: Mapped[int] = mapped_column(
        Integer, comment="Distinct workers in the window"
    )
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evidence: Mapped[list[int]] = mapped_column(
        JSON, comment="Audit entry seq numbers, the latest 200 at most"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditAlertWorker(Base):
    """A worker whose record is among an alert's evidence, by id only.

    It lets an employer find the alerts about its own workers.
    """

    __tablename__ = "audit_alert_workers"
    __table_args__ = (Index("ix_audit_alert_workers_worker", "worker_id"),)

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("audit_alerts.id"), primary_key=True
    )
    worker_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
