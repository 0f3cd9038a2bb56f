"""Site rosters: which workers are on each site, from when and in what position."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from . import catalogue
from .companies import CompanySpec
from .people import Person
from .records import Company, RosterEntry, Site


def build_rosters(
    rng: random.Random,
    people: list[Person],
    companies: dict[str, tuple[Company, CompanySpec]],
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
    start: date,
    days: int,
) -> tuple[RosterEntry, ...]:
    """Put workers of each site's tree companies on that site's roster, in worker order.

    Most live-tree workers are on the live roster and a few leave during the window.
    About half of the ended tree's workers hired before their entry date are on the
    ended roster, and most stay until its period ends. Some upcoming-tree workers are
    already registered for the upcoming site from its first day. Worker 0, the target,
    is always on the live and the ended roster and never leaves the live one.
    """
    roster: list[RosterEntry] = []
    for site, spec in sites.values():
        rows = _site_rows(rng, site, spec, people, start, days)
        positions = _assign_positions(rng, rows)
        for (person, entry_date, induction_date, exit_date), position in zip(
            rows, positions, strict=True
        ):
            roster.append(
                RosterEntry(
                    site_id=site.site_id,
                    worker_id=person.worker.worker_id,
                    company_id=companies[person.employer_key][0].company_id,
                    trade=person.trade,
                    position=position,
                    entry_date=entry_date,
                    induction_date=induction_date,
                    exit_date=exit_date,
                )
            )
    return tuple(roster)


def _site_rows(
    rng: random.Random,
    site: Site,
    spec: catalogue.SiteSpec,
    people: list[Person],
    start: date,
    days: int,
) -> list[tuple[Person, date, date, date | None]]:
    """Return (person, entry date, induction date, exit date) rows for one site."""
    window_end = start + timedelta(days=days - 1)
    tree = {key for key, _ in spec.tree}
    rows: list[tuple[Person, date, date, date | None]] = []
    for index, person in enumerate(people):
        if person.employer_key not in tree:
            continue
        if spec.key == "live":
            row = _live_dates(
                rng, site, start, days, window_end, person, is_target=index == 0
            )
        elif spec.key == "ended":
            row = _ended_dates(rng, site, person, is_target=index == 0)
        else:
            row = (
                (site.period_start, site.period_start, None)
                if rng.random() < 0.3 and len(rows) < 40
                else None
            )
        if row is not None:
            rows.append((person, *row))
    return rows


def _live_dates(
    rng: random.Random,
    site: Site,
    start: date,
    days: int,
    window_end: date,
    person: Person,
    is_target: bool,
) -> tuple[date, date, date | None] | None:
    if not is_target and rng.random() >= 0.88:
        return None
    before_window = (start - site.period_start).days
    if is_target:
        entry = site.period_start + timedelta(days=rng.randrange(before_window - 14))
    elif rng.random() < 0.85:
        entry = site.period_start + timedelta(days=rng.randrange(before_window))
    else:
        entry = start + timedelta(days=rng.randrange(max(1, days - 20)))
    entry = max(entry, person.worker.hire_date)
    # Induction (新規入場者教育) is usually on the entry day and sometimes the day
    # after.
    induction = (
        entry + timedelta(days=1) if not is_target and rng.random() < 0.05 else entry
    )
    exit_date = None
    if not is_target and rng.random() < 0.05:
        earliest_exit = max(induction, start) + timedelta(days=3)
        if earliest_exit < window_end:
            exit_date = earliest_exit + timedelta(
                days=rng.randrange((window_end - earliest_exit).days)
            )
    return entry, induction, exit_date


def _ended_dates(
    rng: random.Random, site: Site, person: Person, is_target: bool
) -> tuple[date, date, date | None] | None:
    if not is_target and rng.random() >= 0.5:
        return None
    period_days = (site.period_end - site.period_start).days
    entry = site.period_start + timedelta(
        days=rng.randrange(60 if is_target else period_days - 40)
    )
    if person.worker.hire_date > entry:
        return None
    exit_date = site.period_end
    if not is_target and rng.random() < 0.1:
        exit_date = entry + timedelta(
            days=rng.randrange(10, (site.period_end - entry).days)
        )
    return entry, entry, exit_date


def _assign_positions(
    rng: random.Random, rows: list[tuple[Person, date, date, date | None]]
) -> list[str | None]:
    """Return a position per roster row, chosen separately for each company.

    The worker with the most foreman days becomes 安全衛生責任者 (safety_officer), and
    about one in eight further workers with foreman days becomes 職長 (foreman). Some
    other workers at level 2 or above become 班長 (team_leader).
    """
    by_company: dict[str, list[int]] = {}
    for row_index, row in enumerate(rows):
        by_company.setdefault(row[0].employer_key, []).append(row_index)
    positions: list[str | None] = [None] * len(rows)
    for row_indexes in by_company.values():
        leaders = sorted(
            (i for i in row_indexes if rows[i][0].foreman_days > 0),
            key=lambda i: -rows[i][0].foreman_days,
        )
        leader_count = math.ceil(len(row_indexes) / 8)
        for rank, row_index in enumerate(leaders[:leader_count]):
            positions[row_index] = "safety_officer" if rank == 0 else "foreman"
        for row_index in row_indexes:
            if (
                positions[row_index] is None
                and rows[row_index][0].level >= 2
                and rng.random() < 0.1
            ):
                positions[row_index] = "team_leader"
    return positions
