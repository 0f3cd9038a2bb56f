"""A site's summary for its orderer: the tree by company, head counts, closed days.

Nothing here reads a worker's record. Head counts are distinct workers per
JST work day, counted in SQL over the work history records, which hold
pseudonymous ids only, and only the counts leave this module.

A closed day (閉所日) is a day of the site's accumulation period on which
nobody worked. The industry target for the five-day site week is 4週8閉所,
8 closed days in every 4 weeks, so the closed days are also counted per
window of 28 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccus.history.models import WorkHistory
from ccus.registry.models import Company
from ccus.sites.models import Site, Subcontract

# The closed-day target counts closed days per 4 weeks.
WINDOW_DAYS = 28
CLOSED_DAY_RATE_DIGITS = 4


class SummaryCompany(msgspec.Struct):
    """A company of the subcontract tree. Tier 0 is the prime contractor."""

    company_id: str
    name: str
    tier: int
    parent_company_id: str | None


class DailyHeadCount(msgspec.Struct):
    """Distinct workers with a work history record on one JST work day."""

    date: date
    workers: int


class ClosedDayWindow(msgspec.Struct):
    """Closed days in one window of 28 days, or of fewer days at the end."""

    start: date
    end: date
    days: int
    closed_days: int


class SiteSummary(msgspec.Struct):
    """The orderer's view of a site. It contains no worker id or personal field.

    ``start`` and ``end`` are the days counted, or None when no requested day
    lies in the accumulation period before today. ``closed_day_rate`` is
    ``closed_days / days`` rounded to 4 digits, or None when no day is
    counted.
    """

    site_id: str
    site_name: str
    status: str
    accumulation_start: date
    accumulation_end: date
    start: date | None
    end: date | None
    companies: list[SummaryCompany]
    head_counts: list[DailyHeadCount]
    days: int
    closed_days: int
    closed_day_rate: float | None
    closed_day_windows: list[ClosedDayWindow]


@dataclass(frozen=True, slots=True)
class DayRange:
    """Consecutive days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def counted_days(site: Site, requested: DayRange, today: date) -> DayRange | None:
    """Return the requested days inside the accumulation period and before today.

    Today is left out because its work may still be going on. None means no
    day remains.
    """
    start = max(requested.start, site.period_start)
    end = min(requested.end, site.period_end, today - timedelta(days=1))
    if end < start:
        return None
    return DayRange(start, end)


def build_summary(
    session: Session, site: Site, requested: DayRange, today: date
) -> SiteSummary:
    """Build the summary of ``site`` for the requested days."""
    counted = counted_days(site, requested, today)
    head_counts = [] if counted is None else _head_counts(session, site, counted)
    closed = [count.date for count in head_counts if count.workers == 0]
    days = len(head_counts)
    rate = round(len(closed) / days, CLOSED_DAY_RATE_DIGITS) if days else None
    return SiteSummary(
        site_id=site.site_id,
        site_name=site.name,
        status=site.status,
        accumulation_start=site.period_start,
        accumulation_end=site.period_end,
        start=counted.start if counted else None,
        end=counted.end if counted else None,
        companies=subcontract_tree(session, site.site_id),
        head_counts=head_counts,
        days=days,
        closed_days=len(closed),
        closed_day_rate=rate,
        closed_day_windows=[] if counted is None else _windows(counted, closed),
    )


def subcontract_tree(session: Session, site_id: str) -> list[SummaryCompany]:
    """Return the site's companies depth first, each parent before its children.

    Siblings are ordered by company id.
    """
    rows = session.execute(
        select(
            Subcontract.company_id,
            Company.name,
            Subcontract.tier,
            Subcontract.parent_company_id,
        )
        .join(Company, Company.company_id == Subcontract.company_id)
        .where(Subcontract.site_id == site_id)
        .order_by(Subcontract.company_id)
    ).all()
    children: dict[str | None, list[SummaryCompany]] = {}
    for company_id, name, tier, parent_id in rows:
        node = SummaryCompany(company_id, name, tier, parent_id)
        children.setdefault(parent_id, []).append(node)
    ordered: list[SummaryCompany] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.company_id, [])))
    return ordered


def _head_counts(
    session: Session, site: Site, counted: DayRange
) -> list[DailyHeadCount]:
    """Count distinct workers per work day, with a zero for every day without."""
    rows = session.execute(
        select(WorkHistory.work_date, func.count(func.distinct(WorkHistory.worker_id)))
        .where(
            WorkHistory.site_id == site.site_id,
            WorkHistory.work_date >= counted.start,
            WorkHistory.work_date <= counted.end,
        )
        .group_by(WorkHistory.work_date)
    ).all()
    by_day = {work_date: int(count) for work_date, count in rows}
    return [
        DailyHeadCount(day, by_day.get(day, 0))
        for day in (
            counted.start + timedelta(days=offset) for offset in range(counted.days)
        )
    ]


def _windows(counted: DayRange, closed: list[date]) -> list[ClosedDayWindow]:
    windows = []
    for first in range(0, counted.days, WINDOW_DAYS):
        start = counted.start + timedelta(days=first)
        end = min(start + timedelta(days=WINDOW_DAYS - 1), counted.end)
        closed_days = sum(1 for day in closed if start <= day <= end)
        windows.append(ClosedDayWindow(start, end, (end - start).days + 1, closed_days))
    return windows
