"""Rosters and card touches go 5 years after handover; history stays."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ccus.history.models import CardTouch, WorkHistory
from ccus.sites.models import RosterEntry, Site
from ccus.sites.retention import apply_retention, retention_cutoff
from tests.e2e.helpers import personas
from tests.keys.conftest import Registry


def counts(registry: Registry, site_id: str) -> tuple[int, int, int]:
    with registry.services.session() as session:
        return tuple(  # type: ignore[return-value]
            int(
                session.scalar(
                    select(func.count()).select_from(table).where(column == site_id)
                )
                or 0
            )
            for table, column in (
                (RosterEntry, RosterEntry.site_id),
                (CardTouch, CardTouch.site_id),
                (WorkHistory, WorkHistory.site_id),
            )
        )


def test_cutoff_handles_leap_day() -> None:
    assert retention_cutoff(date(2032, 2, 29)) == date(2027, 2, 28)
    assert retention_cutoff(date(2031, 6, 1)) == date(2026, 6, 1)


def test_ended_site_kept_within_five_years(registry: Registry) -> None:
    past_site = personas(registry.services)["past_site_id"]
    with registry.services.session() as session:
        site = session.get(Site, past_site)
        assert site is not None and site.handover_date is not None
        handover = site.handover_date
        day_before = handover.replace(year=handover.year + 5)
        result = apply_retention(session, day_before, dry_run=False)
        session.commit()
    assert past_site not in result.site_ids
    assert counts(registry, past_site)[0] > 0


def test_expired_site_roster_deleted(registry: Registry) -> None:
    past_site = personas(registry.services)["past_site_id"]
    live_site = personas(registry.services)["site_id"]
    roster, touches, history = counts(registry, past_site)
    live_before = counts(registry, live_site)
    assert roster > 0
    assert touches > 0
    assert history > 0
    with registry.services.session() as session:
        site = session.get(Site, past_site)
        assert site is not None and site.handover_date is not None
        later = site.handover_date.replace(year=site.handover_date.year + 6)
        dry = apply_retention(session, later, dry_run=True)
        assert (dry.roster_entries, dry.card_touches) == (roster, touches)
        assert counts(registry, past_site) == (roster, touches, history)
        result = apply_retention(session, later, dry_run=False)
        session.commit()
    assert result.site_ids == (past_site,)
    assert counts(registry, past_site) == (0, 0, history)
    assert counts(registry, live_site) == live_before
