"""Time, injected so that logic never reads the clock itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def jst_date(moment: datetime) -> date:
    """Return the calendar day in Japan Standard Time of an aware datetime."""
    return moment.astimezone(JST).date()
