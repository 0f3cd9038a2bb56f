"""Hypothesis strategies for small worlds of the reference model.

Dates fall within two days of the JST date of ``now``, and ``now`` often
sits on a JST or UTC day boundary, so that "ended yesterday", "ends today"
and "the UTC date differs from the JST date" all occur. Consents expire
just before, exactly at or just after ``now``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

from hypothesis import strategies as st

from tests.policy.reference import (
    ALL_GROUPS,
    DECISIONS,
    JST,
    ROLES,
    SITE_STATUSES,
    Actor,
    Consent,
    Employment,
    RosterEntry,
    Site,
    SubcontractNode,
    Worker,
    World,
)

BASE_DATE = date(2026, 11, 30)
# Times of day in JST: midnight, just after, just before and at UTC midnight
# (09:00 JST), and just before the next midnight.
EDGE_TIMES = (
    timedelta(0),
    timedelta(microseconds=1),
    timedelta(hours=8, minutes=59, seconds=59, microseconds=999_999),
    timedelta(hours=9),
    timedelta(hours=23, minutes=59, seconds=59, microseconds=999_999),
)
ZONES = (UTC, JST, timezone(timedelta(hours=-5)))
EXPIRY_OFFSETS = (
    timedelta(days=-1),
    timedelta(seconds=-1),
    timedelta(microseconds=-1),
    timedelta(0),
    timedelta(microseconds=1),
    timedelta(seconds=1),
    timedelta(days=1),
)
# "viewer" is a role no rule names, so it grants nothing by itself.
STAFF_ROLES = (*ROLES, "viewer")
# True one time in four: erased workers and revoked consents.
RARELY = st.sampled_from((False, False, False, True))


def company_id(index: int) -> str:
    return f"10{index:012d}"


def worker_id(index: int) -> str:
    return f"20{index:012d}"


def site_id(index: int) -> str:
    return f"30{index:012d}"


def staff_id(index: int) -> str:
    return f"40{index:012d}"


UNKNOWN_WORKER_ID = worker_id(999_999)
UNKNOWN_SITE_ID = site_id(999_999)


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """Draw an aware ``now`` near ``BASE_DATE``, often on a day boundary."""
    day = BASE_DATE + timedelta(days=draw(st.integers(-2, 2)))
    time_of_day = draw(
        st.one_of(
            st.sampled_from(EDGE_TIMES),
            st.integers(0, 86_400_000_000 - 1).map(
                lambda us: timedelta(microseconds=us)
            ),
        )
    )
    moment = datetime.combine(day, time.min, tzinfo=JST) + time_of_day
    return moment.astimezone(draw(st.sampled_from(ZONES)))


def near_dates(today: date) -> st.SearchStrategy[date]:
    return st.integers(-2, 2).map(lambda days: today + timedelta(days=days))


@st.composite
def sites(draw: st.DrawFn, index: int, company_ids: tuple[str, ...]) -> Site:
    """Draw a site whose tree contains some of the companies, the prime first."""
    members = draw(st.permutations(company_ids))
    size = draw(st.integers(1, len(members)))
    nodes = [SubcontractNode(members[0], None)]
    for position in range(1, size):
        parent = members[draw(st.integers(0, position - 1))]
        nodes.append(SubcontractNode(members[position], parent))
    # Only live sites grant anything, so half of the sites are live.
    status = draw(st.sampled_from((*SITE_STATUSES, "live")))
    return Site(site_id(index), status, tuple(nodes))


@st.composite
def employments(
    draw: st.DrawFn, today: date, worker_ids: list[str], company_ids: tuple[str, ...]
) -> list[Employment]:
    """Draw up to three employments per worker, some ended, some open."""
    result: list[Employment] = []
    for worker in worker_ids:
        for _ in range(draw(st.integers(0, 3))):
            end = draw(st.none() | near_dates(today))
            start = draw(near_dates(today))
            if end is not None and start > end:
                start = end
            company = draw(st.sampled_from(company_ids))
            result.append(Employment(len(result) + 1, worker, company, start, end))
    return result


@st.composite
def roster_entries(
    draw: st.DrawFn, today: date, worker_ids: list[str], site_list: list[Site]
) -> list[RosterEntry]:
    """Draw at most one entry per worker and site, for a company in the tree."""
    result: list[RosterEntry] = []
    for site in site_list:
        for worker in worker_ids:
            if not draw(st.booleans()):
                continue
            company = draw(st.sampled_from(site.company_ids))
            entry_date = draw(near_dates(today))
            exit_date = draw(st.none() | near_dates(today))
            result.append(
                RosterEntry(
                    len(result) + 1,
                    site.site_id,
                    worker,
                    company,
                    entry_date,
                    exit_date,
                )
            )
    return result


@st.composite
def consents(
    draw: st.DrawFn,
    now: datetime,
    worker_ids: list[str],
    company_ids: tuple[str, ...],
    employment_list: list[Employment],
) -> list[Consent]:
    """Draw up to three consents per worker with every mix of decisions."""
    # Approvals are drawn three times as often as each other decision, so
    # that more consents are in force.
    decisions = st.sampled_from((None, *DECISIONS, "approved", "approved"))
    result: list[Consent] = []
    for worker in worker_ids:
        employers = sorted(
            {e.company_id for e in employment_list if e.worker_id == worker}
        )
        for _ in range(draw(st.integers(0, 3))):
            employer_choices = st.none() | st.sampled_from(company_ids)
            if employers:
                employer_choices = employer_choices | st.sampled_from(employers)
            groups = draw(
                st.lists(st.sampled_from(ALL_GROUPS), unique=True, max_size=4)
            )
            result.append(
                Consent(
                    consent_id=len(result) + 1,
                    worker_id=worker,
                    recipient_company_id=draw(st.none() | st.sampled_from(company_ids)),
                    employer_company_id=draw(employer_choices),
                    groups=tuple(groups),
                    worker_decision=draw(decisions),
                    employer_decision=draw(decisions),
                    revoked=draw(RARELY),
                    expires_at=now + draw(st.sampled_from(EXPIRY_OFFSETS)),
                )
            )
    return result


@st.composite
def actors(
    draw: st.DrawFn,
    company_ids: tuple[str, ...],
    worker_list: list[Worker],
    site_ids: list[str],
) -> list[Actor]:
    """Draw one or two staff per company, and every other kind of actor."""
    result: list[Actor] = []
    for company in company_ids:
        for _ in range(draw(st.integers(1, 2))):
            roles = draw(
                st.lists(st.sampled_from(STAFF_ROLES), unique=True, max_size=3)
            )
            result.append(
                Actor("staff", staff_id(len(result) + 1), company, tuple(roles))
            )
    result.extend(Actor("worker", worker.worker_id) for worker in worker_list)
    result.append(Actor("regulator", "regulator-1"))
    result.append(Actor("operator", "operator-1"))
    device_site = draw(st.sampled_from(site_ids))
    result.append(Actor("device", "gate-1", site_id=device_site))
    return result


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """Draw a world of 2-6 companies, 1-3 sites and 1-6 workers."""
    now = draw(moments())
    today = now.astimezone(JST).date()
    company_ids = tuple(company_id(i) for i in range(1, draw(st.integers(2, 6)) + 1))
    site_list = [
        draw(sites(i, company_ids)) for i in range(1, draw(st.integers(1, 3)) + 1)
    ]
    worker_list = [
        Worker(worker_id(i), erased=draw(RARELY), contact_replaced=draw(st.booleans()))
        for i in range(1, draw(st.integers(1, 6)) + 1)
    ]
    worker_ids = [worker.worker_id for worker in worker_list]
    employment_list = draw(employments(today, worker_ids, company_ids))
    return World(
        now=now,
        company_ids=company_ids,
        sites=tuple(site_list),
        workers=tuple(worker_list),
        employments=tuple(employment_list),
        roster_entries=tuple(draw(roster_entries(today, worker_ids, site_list))),
        consents=tuple(draw(consents(now, worker_ids, company_ids, employment_list))),
        actors=tuple(
            draw(actors(company_ids, worker_list, [s.site_id for s in site_list]))
        ),
        unknown_worker_id=UNKNOWN_WORKER_ID,
        unknown_site_id=UNKNOWN_SITE_ID,
    )
