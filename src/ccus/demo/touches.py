"""Card-reader touches on the live and the ended site, with rain and night shifts."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

from . import catalogue
from .records import CardTouch, RosterEntry, Site

JST = timezone(timedelta(hours=9))

# Touches are generated only for the first roster workers of each site (plus the target
# worker), so that large worker counts grow the roster but not the touch count.
LIVE_TOUCH_WORKERS = 300
ENDED_TOUCH_WORKERS = 100
ENDED_TOUCH_DAYS = 30  # the ended site's touches cover the last days of its period


def pick_rain_days(rng: random.Random, start: date, days: int) -> tuple[date, ...]:
    """Pick about one rain closure per 22 days among the window's workdays.

    Workdays are Monday to Saturday, except public holidays.
    """
    workdays = [
        day
        for day in (start + timedelta(days=offset) for offset in range(days))
        if day.weekday() < 6 and day not in catalogue.HOLIDAYS
    ]
    return tuple(sorted(rng.sample(workdays, min(len(workdays), round(days / 22)))))


def build_touches(
    rng: random.Random,
    target_id: str,
    roster: tuple[RosterEntry, ...],
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
    start: date,
    days: int,
    rain_days: tuple[date, ...],
) -> tuple[CardTouch, ...]:
    """Generate the live site's touches in the window and the ended site's last ones.

    The ended site's touches cover the last ENDED_TOUCH_DAYS days of its period.
    """
    live, ended = sites["live"][0], sites["ended"][0]
    window_end = start + timedelta(days=days - 1)

    live_entries = _touching_entries(
        roster, live.site_id, target_id, LIVE_TOUCH_WORKERS
    )
    live_days = _attendance_factors(rng, start, window_end, set(rain_days))
    crew, nights = _plan_night_shifts(rng, live_entries, target_id, live_days)
    live_touches = _site_touches(rng, live_entries, live_days, crew, nights)

    ended_first = ended.period_end - timedelta(days=ENDED_TOUCH_DAYS - 1)
    ended_entries = _touching_entries(
        roster, ended.site_id, target_id, ENDED_TOUCH_WORKERS
    )
    ended_days = _attendance_factors(rng, ended_first, ended.period_end, set())
    ended_touches = _site_touches(rng, ended_entries, ended_days, set(), set())

    return _number_touches(live.site_id, live_touches) + _number_touches(
        ended.site_id, ended_touches
    )


def _touching_entries(
    roster: tuple[RosterEntry, ...], site_id: str, target_id: str, limit: int
) -> list[RosterEntry]:
    """Return the site's first ``limit`` roster entries, plus the target's if later."""
    entries = [entry for entry in roster if entry.site_id == site_id]
    chosen = entries[:limit]
    if all(entry.worker_id != target_id for entry in chosen):
        chosen += [entry for entry in entries[limit:] if entry.worker_id == target_id]
    return chosen


def _attendance_factors(
    rng: random.Random, first: date, last: date, rain_days: set[date]
) -> dict[date, float]:
    """Map each day to the share of the usual crew that works, 0 if the site is closed.

    Sites close on rain days and on most Sundays and holidays, where a reduced crew
    sometimes works. Saturdays are open with about half the crew.
    """
    factors = {}
    day = first
    while day <= last:
        if day in rain_days:
            factor = 0.0
        elif day.weekday() == 6 or day in catalogue.HOLIDAYS:
            factor = 0.2 if rng.random() < 0.15 else 0.0
        elif day.weekday() == 5:
            factor = 0.5
        else:
            factor = 1.0
        factors[day] = factor
        day += timedelta(days=1)
    return factors


def _plan_night_shifts(
    rng: random.Random,
    entries: list[RosterEntry],
    target_id: str,
    factors: dict[date, float],
) -> tuple[set[str], set[date]]:
    """Choose a night crew of up to five workers and the weeknights on which it works.

    A night shift starts on the chosen day and ends the next morning, so the window's
    last day is never a night. At least one night is chosen whenever a weekday is open.
    """
    candidates = [
        entry
        for entry in entries
        if entry.worker_id != target_id and entry.exit_date is None
    ]
    crew = [
        entry.worker_id for entry in candidates if entry.trade in ("earthwork", "tobi")
    ][:5]
    if len(crew) < 2:
        crew = [entry.worker_id for entry in candidates][:5]
    last = max(factors)
    eligible = [
        day
        for day, factor in factors.items()
        if day.weekday() < 5 and factor > 0 and day < last
    ]
    nights = {day for day in eligible if rng.random() < 0.3}
    if not nights and eligible:
        nights.add(eligible[0])
    return set(crew), nights


def _site_touches(
    rng: random.Random,
    entries: list[RosterEntry],
    factors: dict[date, float],
    crew: set[str],
    nights: set[date],
) -> list[tuple[datetime, str, str]]:
    """Generate (touched_at, worker_id, direction) triples between induction and exit.

    Day shifts touch in at 07:40-08:20 and out at 17:00-18:30, or until 21:00 with
    overtime. Night shifts touch in at 20:00-22:00 and out at 05:00-07:00 the next day,
    and the crew rests the day after. About 1% of day-shift out-touches are missing, and
    about 1% of in-touches and 0.5% of out-touches are doubled 20-180 seconds apart, as
    happens at real card readers.
    """
    first_day, last_day = min(factors), max(factors)
    midnights = {
        day: datetime(day.year, day.month, day.day, tzinfo=JST) for day in factors
    }
    touches: list[tuple[datetime, str, str]] = []
    for entry in entries:
        worker_id = entry.worker_id
        first = max(entry.induction_date, first_day)
        last = min(entry.exit_date or last_day, last_day)
        attendance = rng.uniform(0.82, 0.97)
        night_worker = worker_id in crew
        resting: set[date] = set()
        for day, factor in factors.items():
            if day < first or day > last:
                continue
            next_day = day + timedelta(days=1)
            if night_worker and day in nights and next_day <= last:
                touches += _night_shift(
                    rng, midnights[day], midnights[next_day], worker_id
                )
                resting.add(next_day)
                continue
            if day in resting or factor == 0 or rng.random() >= attendance * factor:
                continue
            touches += _day_shift(rng, midnights[day], worker_id)
    return touches


def _night_shift(
    rng: random.Random, midnight: datetime, next_midnight: datetime, worker_id: str
) -> list[tuple[datetime, str, str]]:
    """Return the in-touch in the evening and the out-touch the next morning."""
    in_at = midnight + timedelta(seconds=rng.randint(20 * 3600, 22 * 3600))
    out_at = next_midnight + timedelta(seconds=rng.randint(5 * 3600, 7 * 3600))
    return [(in_at, worker_id, "in"), (out_at, worker_id, "out")]


def _day_shift(
    rng: random.Random, midnight: datetime, worker_id: str
) -> list[tuple[datetime, str, str]]:
    """Return the in- and out-touches of one day shift, as _site_touches describes."""
    in_at = midnight + timedelta(
        seconds=rng.randint(7 * 3600 + 40 * 60, 8 * 3600 + 20 * 60 - 1)
    )
    touches = [(in_at, worker_id, "in")]
    if rng.random() < 0.01:
        touches.append(
            (in_at + timedelta(seconds=rng.randint(20, 180)), worker_id, "in")
        )
    if rng.random() < 0.012:
        return touches  # the worker forgot to touch out
    if rng.random() < 0.07:
        out_seconds = rng.randint(18 * 3600 + 30 * 60, 21 * 3600)
    else:
        out_seconds = rng.randint(17 * 3600, 18 * 3600 + 30 * 60 - 1)
    out_at = midnight + timedelta(seconds=out_seconds)
    touches.append((out_at, worker_id, "out"))
    if rng.random() < 0.005:
        touches.append(
            (out_at + timedelta(seconds=rng.randint(20, 180)), worker_id, "out")
        )
    return touches


def _number_touches(
    site_id: str, touches: list[tuple[datetime, str, str]]
) -> tuple[CardTouch, ...]:
    """Sort a site's touches by time and number them as the card reader would."""
    touches.sort()
    return tuple(
        CardTouch(
            site_id=site_id,
            worker_id=worker_id,
            touched_at=touched_at,
            direction=direction,
            device_touch_id=f"{site_id}-{number:09d}",
        )
        for number, (touched_at, worker_id, direction) in enumerate(touches, start=1)
    )
