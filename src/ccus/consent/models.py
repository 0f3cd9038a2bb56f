"""The consent table: one company's request to see chosen groups of a worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base, Id14, UTCDateTime

DECISIONS = ("approved", "rejected")


class Consent(Base):
    """A disclosure of chosen field groups of one worker, for a purpose.

    ``recipient_company_id`` is the company that may see the groups, or NULL
    for every company. ``employer_company_id`` is the employer whose
    approval is needed besides the worker's: the worker's employer when the
    consent was asked, or NULL when the worker had none. Disclosure holds
    while both approvals stand, nobody revoked, the expiry has not passed
    and that employer still employs the worker.
    """

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint(
            "worker_decision IS NULL OR worker_decision IN ('approved', 'rejected')",
            name="worker_decision",
        ),
        CheckConstraint(
            "employer_decision IS NULL "
            "OR employer_decision IN ('approved', 'rejected')",
            name="employer_decision",
        ),
        CheckConstraint(
            "revoked_by IS NULL OR revoked_by IN ('worker', 'employer')",
            name="revoked_by",
        ),
        Index("ix_consents_worker", "worker_id"),
        Index("ix_consents_recipient", "recipient_company_id", "worker_id"),
        Index("ix_consents_employer", "employer_company_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(Id14(), ForeignKey("workers.worker_id"))
    employer_company_id: Mapped[str | None] = mapped_column(
        Id14(), ForeignKey("companies.company_id")
    )
    recipient_company_id: Mapped[str | None] = mapped_column(
        Id14(), ForeignKey("companies.company_id")
    )
    groups: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    requested_by_kind: Mapped[str] = mapped_column(String(12))
    requested_by: Mapped[str] = mapped_column(String(80))
    worker_decision: Mapped[str | None] = mapped_column(String(8))
    worker_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    employer_decision: Mapped[str | None] = mapped_column(String(8))
    employer_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    employer_decided_by: Mapped[str | None] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(8))
