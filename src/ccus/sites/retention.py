"""The retention rule of rosters.

Since October 2020 the roster (作業員名簿) is part of the legal subcontract
ledger, which is kept for 5 years after a site's handover. After that the
roster entries and the raw card touches of the site have no purpose left
and are deleted. The work history records derived from the touches stay:
they are the worker's own career record (work days decide skill levels)
and hold only pseudonymous ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ccus.history.models import CardTouch
from ccus.sites.models import RosterEntry, Site

RETENTION_YEARS = 5


@dataclass(frozen=True, slots=True)
class RetentionResult:
    site_ids: tuple[str, ...]
    roster_entries: int
    card_touches: int


def retention_cutoff(today: date) -> date:
    """Return the latest handover date whose rosters may now be deleted."""
    try:
        return today.replace(year=today.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - RETENTION_YEARS, day=28)


def expired_sites(session: Session, today: date) -> list[str]:
    cutoff = retention_cutoff(today)
    return list(
        session.scalars(
            select(Site.site_id)
            .where(Site.handover_date.is_not(None), Site.handover_date < cutoff)
            .order_by(Site.site_id)
        )
    )


def apply_retention(session: Session, today: date, dry_run: bool) -> RetentionResult:
    """Delete the roster entries and card touches of expired sites.

    With ``dry_run`` only counts what would be deleted. The caller commits.
    """
    site_ids = expired_sites(session, today)
    counts = []
    for table, column in (
        (RosterEntry, RosterEntry.site_id),
        (CardTouch, CardTouch.site_id),
    ):
        if dry_run:
            count = session.scalar(
                select(func.count()).select_from(table).where(column.in_(site_ids))
            )
        else:
            count = session.execute(delete(table).where(column.in_(site_ids))).rowcount  # type: ignore[attr-defined]
        counts.append(int(count or 0))
    return RetentionResult(tuple(site_ids), counts[0], counts[1])
