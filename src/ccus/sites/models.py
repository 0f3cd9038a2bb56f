"""Tables of sites, subcontract trees and roster entries."""

from __future__ import annotations

from datetime import date

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

from ccus.db.base import Base, Id14

SITE_STATUSES = ("upcoming", "live", "ended")
POSITIONS = ("foreman", "team_leader", "safety_officer")


class Site(Base):
    """A construction site (現場) and its accumulation period."""

    __tablename__ = "sites"
    __table_args__ = (
        CheckConstraint("length(site_id) = 14", name="id14"),
        CheckConstraint("status IN ('upcoming', 'live', 'ended')", name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    site_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    prime_company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.company_id"), index=True
    )
    orderer_name: Mapped[str] = mapped_column(String(200))
    orderer_company_id: Mapped[str | None] = mapped_column(
        ForeignKey("companies.company_id"),
        index=True,
        comment="The orderer (発注者) when it is a registered company",
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    handover_date: Mapped[date | None] = mapped_column(Date)


class Subcontract(Base):
    """One company's place in a site's subcontract tree (tier 0 is the prime)."""

    __tablename__ = "subcontracts"
    __table_args__ = (
        CheckConstraint("tier >= 0", name="tier"),
        CheckConstraint(
            "(tier = 0) = (parent_company_id IS NULL)", name="root_has_no_parent"
        ),
    )

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.site_id"), primary_key=True)
    company_id: Mapped[str] = mapped_column(
        ForeignKey("companies.company_id"), primary_key=True
    )
    tier: Mapped[int] = mapped_column(Integer)
    parent_company_id: Mapped[str | None] = mapped_column(Id14())


class SubcontractPath(Base):
    """Closure of a site's tree: ``ancestor`` is ``depth`` tiers above ``descendant``.

    Every company is its own ancestor at depth 0, so "the actor's company and
    every company below it" is one indexed lookup.
    """

    __tablename__ = "subcontract_paths"
    __table_args__ = (
        Index("ix_subcontract_paths_descendant", "site_id", "descendant_company_id"),
    )

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.site_id"), primary_key=True)
    ancestor_company_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
    descendant_company_id: Mapped[str] = mapped_column(Id14(), primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)


class RosterEntry(Base):
    """A worker on a site's roster (作業員名簿), with the employer there."""

    __tablename__ = "roster_entries"
    __table_args__ = (
        UniqueConstraint("site_id", "worker_id"),
        Index("ix_roster_entries_site_company", "site_id", "company_id"),
        # Roster pages walk a site's entries in id order, checking the company
        # in the index, and stop after a page instead of sorting the subtree.
        Index("ix_roster_entries_site_order", "site_id", "id", "company_id"),
        CheckConstraint(
            "position IS NULL OR position IN "
            "('foreman', 'team_leader', 'safety_officer')",
            name="position",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.site_id"))
    worker_id: Mapped[str] = mapped_column(
        ForeignKey("workers.worker_id", ondelete="CASCADE"), index=True
    )
    company_id: Mapped[str] = mapped_column(ForeignKey("companies.company_id"))
    trade: Mapped[str] = mapped_column(String(40))
    position: Mapped[str | None] = mapped_column(String(20))
    entry_date: Mapped[date] = mapped_column(Date)
    induction_date: Mapped[date] = mapped_column(Date)
    exit_date: Mapped[date | None] = mapped_column(Date)
    # The upper company that registered the entry under an agreement, or
    # NULL when the entry's own company did. Such an entry discloses the
    # worker to the tiers above only once the worker has worked on the site.
    registered_by_company_id: Mapped[str | None] = mapped_column(
        ForeignKey("companies.company_id")
    )


class CompanyAgreement(Base):
    """A standing inter-company agreement (事業者間合意) for proxy registration.

    While it runs, ``upper_company_id`` may put ``lower_company_id``'s workers
    on the roster of a site where it is above that company in the tree. The
    agreement writes roster entries only; it never lets the upper company
    read those workers' records.
    """

    __tablename__ = "company_agreements"
    __table_args__ = (
        CheckConstraint("upper_company_id <> lower_company_id", name="two_companies"),
        CheckConstraint("ended_on IS NULL OR ended_on >= signed_on", name="period"),
        Index("ix_company_agreements_pair", "upper_company_id", "lower_company_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    upper_company_id: Mapped[str] = mapped_column(ForeignKey("companies.company_id"))
    lower_company_id: Mapped[str] = mapped_column(ForeignKey("companies.company_id"))
    signed_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
