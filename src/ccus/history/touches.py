"""Store card touches from a site's entry/exit system and build work history.

Several touches by one worker at one site on one work day make one history
record. The work day is the JST calendar day the shift began: an ``out``
touch belongs to the latest ``in`` touch of the previous 24 hours, so a
night shift that crosses midnight stays on the day it started.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import msgspec
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.clock import jst_date
from ccus.history.models import CardTouch, WorkHistory
from ccus.registry.models import Worker
from ccus.sites.models import RosterEntry, Site, Subcontract

MAX_TOUCHES_PER_BATCH = 1000
SHIFT_WINDOW = timedelta(hours=24)
FUTURE_TOLERANCE = timedelta(minutes=5)
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 1, 1)


class Touch(msgspec.Struct, forbid_unknown_fields=True):
    touch_id: str
    worker_id: str
    touched_at: datetime
    direction: Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class Rejection:
    index: int
    touch_id: str
    reason: str
    detail: str


@dataclass(slots=True)
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)


# An unknown worker and one who is not on the roster get the same reason, so
# that a device cannot learn which worker ids are registered.
REASONS = {
    "not_on_roster": "The worker is not on this site's roster on that day; "
    "check the card or register the roster entry first.",
    "invalid_time": "The touch time is not a real time between 2000 and 2099; "
    "check the device clock.",
    "outside_accumulation_period": "The work day is outside the site's "
    "accumulation period; history accrues only inside it.",
    "in_the_future": "The touch time is in the future; check the device clock.",
    "naive_time": "The touch time has no UTC offset; send it with one, "
    "for example 2026-09-01T07:55:00+09:00.",
}


def _reject(result: BatchResult, index: int, touch: Touch, reason: str) -> None:
    result.rejected.append(Rejection(index, touch.touch_id, reason, REASONS[reason]))


def ingest_touches(
    session: Session,
    site: Site,
    touches: list[Touch],
    device_client_id: str,
    now: datetime,
) -> BatchResult:
    """Store the valid touches of a batch and update work history.

    Each invalid touch is rejected on its own with a reason. A touch whose id
    the site already stored counts as a duplicate and is not stored again.
    The caller commits.
    """
    result = BatchResult()
    touch_ids = [touch.touch_id for touch in touches]
    worker_ids = {touch.worker_id for touch in touches}
    stored_ids = set(
        session.scalars(
            select(CardTouch.device_touch_id).where(
                CardTouch.site_id == site.site_id,
                CardTouch.device_touch_id.in_(touch_ids),
            )
        )
    )
    known_workers = set(
        session.scalars(
            select(Worker.worker_id).where(Worker.worker_id.in_(worker_ids))
        )
    )
    entries = {
        entry.worker_id: entry
        for entry in session.scalars(
            select(RosterEntry).where(
                RosterEntry.site_id == site.site_id,
                RosterEntry.worker_id.in_(worker_ids),
            )
        )
    }

    accepted: list[Touch] = []
    for index, touch in enumerate(touches):
        if touch.touch_id in stored_ids:
            result.duplicates += 1
            continue
        reason = _check(touch, site, known_workers, entries, now)
        if reason:
            _reject(result, index, touch, reason)
            continue
        stored_ids.add(touch.touch_id)
        accepted.append(touch)

    days = _store(session, site, accepted, device_client_id, now)
    _rebuild_history(session, site, entries, days)
    result.accepted = len(accepted)
    return result


def _check(
    touch: Touch,
    site: Site,
    known_workers: set[str],
    entries: dict[str, RosterEntry],
    now: datetime,
) -> str | None:
    if touch.touched_at.tzinfo is None:
        return "naive_time"
    try:
        day = jst_date(touch.touched_at)
    except OverflowError:
        return "invalid_time"
    if not EARLIEST_DAY <= day < LATEST_DAY:
        return "invalid_time"
    if touch.worker_id not in known_workers:
        return "not_on_roster"
    if touch.touched_at > now + FUTURE_TOLERANCE:
        return "in_the_future"
    # An out touch may fall on the day after the period when the last shift
    # crossed midnight, because its work day is then still inside the period.
    last_day = site.period_end + timedelta(days=int(touch.direction == "out"))
    if not site.period_start <= day <= last_day:
        return "outside_accumulation_period"
    entry = entries.get(touch.worker_id)
    if entry is None or day < entry.entry_date:
        return "not_on_roster"
    # As at the period's end, only an out touch may fall on the day after.
    if entry.exit_date is not None and day > entry.exit_date + timedelta(
        days=int(touch.direction == "out")
    ):
        return "not_on_roster"
    return None


def _store(
    session: Session,
    site: Site,
    touches: list[Touch],
    device_client_id: str,
    now: datetime,
) -> set[tuple[str, date]]:
    """Insert touches in time order; return the (worker, work day) pairs touched."""
    days: set[tuple[str, date]] = set()
    for touch in sorted(touches, key=lambda t: t.touched_at):
        work_date = jst_date(touch.touched_at)
        if touch.direction == "out":
            opened = session.scalar(
                select(CardTouch.work_date)
                .where(
                    CardTouch.worker_id == touch.worker_id,
                    CardTouch.site_id == site.site_id,
                    CardTouch.direction == "in",
                    CardTouch.touched_at <= touch.touched_at,
                    CardTouch.touched_at > touch.touched_at - SHIFT_WINDOW,
                )
                .order_by(CardTouch.touched_at.desc())
                .limit(1)
            )
            work_date = opened or work_date
        session.add(
            CardTouch(
                site_id=site.site_id,
                device_touch_id=touch.touch_id,
                worker_id=touch.worker_id,
                touched_at=touch.touched_at,
                direction=touch.direction,
                work_date=work_date,
                device_client_id=device_client_id,
                received_at=now,
            )
        )
        session.flush()
        days.add((touch.worker_id, work_date))
    return days


def _rebuild_history(
    session: Session,
    site: Site,
    entries: dict[str, RosterEntry],
    days: set[tuple[str, date]],
) -> None:
    """Recompute the history record of every (worker, work day) touched."""
    if not days:
        return
    tiers = dict(
        session.execute(
            select(Subcontract.company_id, Subcontract.tier).where(
                Subcontract.site_id == site.site_id
            )
        ).all()
    )
    for worker_id, work_date in days:
        if not site.period_start <= work_date <= site.period_end:
            continue
        rows = session.execute(
            select(CardTouch.direction, CardTouch.touched_at).where(
                CardTouch.worker_id == worker_id,
                CardTouch.site_id == site.site_id,
                CardTouch.work_date == work_date,
            )
        ).all()
        ins = [at for direction, at in rows if direction == "in"]
        outs = [at for direction, at in rows if direction == "out"]
        entry = entries[worker_id]
        record = session.scalar(
            select(WorkHistory).where(
                WorkHistory.worker_id == worker_id,
                WorkHistory.site_id == site.site_id,
                WorkHistory.work_date == work_date,
            )
        )
        if record is None:
            record = WorkHistory(
                worker_id=worker_id,
                site_id=site.site_id,
                work_date=work_date,
                employer_company_id=entry.company_id,
                tier=tiers.get(entry.company_id, 0),
                trade=entry.trade,
                position=entry.position,
            )
            session.add(record)
        record.entry_at = min(ins) if ins else None
        record.exit_at = max(outs) if outs else None
    session.flush()
