"""Tables of card touches and work history records.

Both refer to workers by pseudonymous id only; the worker's name and other
personal fields never appear here.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ccus.db.base import Base, Id14, UTCDateTime


class CardTouch(Base):
    """One touch of a worker's card at a site's entry/exit system."""

    __tablename__ = "card_touches"
    __table_args__ = (
        UniqueConstraint("site_id", "device_touch_id"),
        CheckConstraint("direction IN ('in', 'out')", name="direction"),
        Index("ix_card_touches_worker_site_time", "worker_id", "site_id", "touched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.site_id"))
    device_touch_id: Mapped[str] = mapped_column(
        String(64), comment="The device's own id of the touch; replays share it"
    )
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE")
    )
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime())
    direction: Mapped[str] = mapped_column(String(3))
    work_date: Mapped[date] = mapped_column(Date, comment="JST day the shift began")
    device_client_id: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkHistory(Base):
    """One work history record (就業履歴): a worker's day at a site."""

    __tablename__ = "work_history"
    __table_args__ = (
        UniqueConstraint("worker_id", "site_id", "work_date"),
        Index("ix_work_history_site_date", "site_id", "work_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE")
    )
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.site_id"))
    work_date: Mapped[date] = mapped_column(Date)
    employer_company_id: Mapped[str] = mapped_column(Id14())
    tier: Mapped[int] = mapped_column(Integer)
    trade: Mapped[str] = mapped_column(String(40))
    position: Mapped[str | None] = mapped_column(String(20))
    entry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
