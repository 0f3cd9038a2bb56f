"""Tables of the registry: companies, staff, workers and employments.

Every personal field of a worker is stored only as ciphertext, one column
per field group, sealed under the worker's data key (see ``ccus.crypto``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base, Id14, UTCDateTime

ID_CHECK = "length({0}) = 14"


class Company(Base):
    """A registered company (事業者). Company data is not personal data."""

    __tablename__ = "companies"
    __table_args__ = (CheckConstraint(ID_CHECK.format("company_id"), name="id14"),)

    company_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_kana: Mapped[str] = mapped_column(String(200))
    permit_issuer: Mapped[str | None] = mapped_column(String(40))
    permit_kind: Mapped[str | None] = mapped_column(String(10))
    permit_number: Mapped[str | None] = mapped_column(String(20))
    permit_trades: Mapped[list[str]] = mapped_column(JSON, default=list)
    permit_date: Mapped[date | None] = mapped_column(Date)
    kentaikyo_contractor_number: Mapped[str | None] = mapped_column(
        String(20), comment="建退共 共済契約者番号"
    )
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(30))
    is_sole_proprietor: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Staff(Base):
    """A person who acts for a company, with the roles the company gave."""

    __tablename__ = "staff"
    __table_args__ = (CheckConstraint(ID_CHECK.format("staff_id"), name="id14"),)

    staff_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.company_id"), index=True
    )
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    login_index: Mapped[str | None] = mapped_column(
        String(80),
        index=True,
        comment="Keyed HMAC of the normalised name and birth date that a "
        "national-ID login matches, never the values; set by 'ccus staff link'",
    )


class Worker(Base):
    """A skilled worker (技能者): encrypted field groups keyed by worker id."""

    __tablename__ = "workers"
    __table_args__ = (CheckConstraint(ID_CHECK.format("worker_id"), name="id14"),)

    worker_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
    identity_ct: Mapped[bytes] = mapped_column(
        LargeBinary,
        comment="PERSONAL, encrypted: name, katakana name, birth date, gender, "
        "nationality, photo",
    )
    contact_ct: Mapped[bytes] = mapped_column(
        LargeBinary, comment="PERSONAL, encrypted: postal code, address, phone, email"
    )
    emergency_contact_ct: Mapped[bytes] = mapped_column(
        LargeBinary,
        comment="PERSONAL, encrypted: family contact name, relation, address, phone",
    )
    insurance_ct: Mapped[bytes] = mapped_column(
        LargeBinary,
        comment="PERSONAL, encrypted: health, pension, employment insurance, "
        "建退共 and 中退共 membership",
    )
    health_ct: Mapped[bytes] = mapped_column(
        LargeBinary,
        comment="PERSONAL, encrypted: health checks, blood pressure, blood type",
    )
    qualifications_ct: Mapped[bytes] = mapped_column(
        LargeBinary, comment="PERSONAL, encrypted: licences, trainings, skills"
    )
    career_ct: Mapped[bytes] = mapped_column(
        LargeBinary, comment="PERSONAL, encrypted: trades, levels, days, awards"
    )
    contact_replaced: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        comment="The employer shows its own address and phone to other companies",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(),
        comment="Set when the data key was destroyed; the sealed columns are "
        "unreadable from then on",
    )


class WorkerIndex(Base):
    """A keyed blind index of a worker, for lookups without decryption.

    ``purpose`` names the lookup (duplicate detection, name search, national-ID
    login); ``token`` is a truncated HMAC that many workers share, so the
    caller decrypts the candidates and compares.
    """

    __tablename__ = "worker_indexes"
    __table_args__ = (Index("ix_worker_indexes_purpose_token", "purpose", "token"),)

    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(20), primary_key=True)
    token: Mapped[str] = mapped_column(
        String(40), comment="Blind index: truncated HMAC, never the value"
    )


class KeyOperation(Base):
    """A resumable key operation: its kind, progress and cut-off time.

    A re-encryption covers every worker whose newest data key was created
    before ``cutoff``; an interrupted run resumes the unfinished operation.
    """

    __tablename__ = "key_operations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cutoff: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done: Mapped[int] = mapped_column(Integer, default=0)


class WorkerKey(Base):
    """A worker's data key, wrapped by a key-encryption key.

    Deleting this row makes every sealed field of the worker unreadable.
    """

    __tablename__ = "worker_keys"

    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(80), index=True)
    wrapped_key: Mapped[bytes] = mapped_column(
        LargeBinary, comment="KEY MATERIAL, wrapped: the worker's data key"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Employment(Base):
    """A worker's employment by a company; ``end_date`` set once it ended."""

    __tablename__ = "employments"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.company_id"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date, comment="PERSONAL: hire date")
    end_date: Mapped[date | None] = mapped_column(Date)
