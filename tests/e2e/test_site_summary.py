"""The orderer's site summary: tree by company, head counts, closed days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.auth.actors import StaffActor
from ccus.authz.engine import PolicyEngine
from ccus.demo.dataset import Dataset, Site
from ccus.sites.facts import SiteSummaryFacts
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas

# Card touches of other e2e tests fall on 2026-11-28 and later, so the
# counts of these days come from the demo data set alone.
FIRST_DAY = date(2026, 9, 1)
LAST_DAY = date(2026, 11, 27)
PERIOD = {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()}
SUMMARY_KEYS = {
    "site_id",
    "site_name",
    "status",
    "accumulation_start",
    "accumulation_end",
    "start",
    "end",
    "companies",
    "head_counts",
    "days",
    "closed_days",
    "closed_day_rate",
    "closed_day_windows",
}


def site_of(dataset: Dataset, status: str) -> Site:
    return next(site for site in dataset.sites if site.status == status)


def orderer_staff(dataset: Dataset, site: Site) -> StaffActor:
    """Return an actor for the first staff member of the site's orderer."""
    assert site.orderer_company_id is not None
    member = next(
        member
        for member in dataset.staff
        if member.company_id == site.orderer_company_id
    )
    return StaffActor(
        subject=member.staff_id,
        client_id="summary-test",
        company_id=member.company_id,
        roles=member.roles,
    )


def summary(
    server: LiveServer, actor: Any, site_id: str, params: dict[str, str] | None = None
) -> Any:
    with server.client(actor) as client:
        return client.get(f"/sites/{site_id}/summary", params=params or {})


def expected_counts(
    dataset: Dataset, site_id: str, first: date, last: date
) -> list[dict[str, Any]]:
    """Count distinct workers per JST day of their in touches, zeros included."""
    workers: dict[date, set[str]] = defaultdict(set)
    for touch in dataset.touches:
        if touch.site_id == site_id and touch.direction == "in":
            workers[touch.touched_at.date()].add(touch.worker_id)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [{"date": day.isoformat(), "workers": len(workers[day])} for day in days]


def test_orderer_reads_counts(server: LiveServer, dataset: Dataset) -> None:
    site_id = personas(server.services)["site_id"]
    response = summary(server, actor_of(server.services, "orderer"), site_id, PERIOD)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = expected_counts(dataset, site_id, FIRST_DAY, LAST_DAY)
    closed = [item["date"] for item in expected if item["workers"] == 0]
    assert set(body) == SUMMARY_KEYS
    assert body["start"] == FIRST_DAY.isoformat()
    assert body["end"] == LAST_DAY.isoformat()
    assert body["days"] == 88
    assert body["head_counts"] == expected
    assert closed, "the demo site closes on Sundays, holidays and rain days"
    assert body["closed_days"] == len(closed)
    assert body["closed_day_rate"] == round(len(closed) / 88, 4)


def test_closed_days_per_four_weeks(server: LiveServer, dataset: Dataset) -> None:
    site_id = personas(server.services)["site_id"]
    body = summary(server, actor_of(server.services, "orderer"), site_id, PERIOD)
    expected = expected_counts(dataset, site_id, FIRST_DAY, LAST_DAY)
    windows = body.json()["closed_day_windows"]
    assert [window["days"] for window in windows] == [28, 28, 28, 4]
    assert windows[0]["start"] == "2026-09-01"
    assert windows[0]["end"] == "2026-09-28"
    assert windows[-1]["end"] == LAST_DAY.isoformat()
    for number, window in enumerate(windows):
        part = expected[28 * number : 28 * number + window["days"]]
        assert part[0]["date"] == window["start"]
        assert window["closed_days"] == sum(1 for i in part if i["workers"] == 0)


def test_tree_lists_companies_only(server: LiveServer, dataset: Dataset) -> None:
    site_id = personas(server.services)["site_id"]
    body = summary(server, actor_of(server.services, "orderer"), site_id).json()
    names = {company.company_id: company.name for company in dataset.companies}
    expected = {
        (node.company_id, names[node.company_id], node.tier, node.parent_company_id)
        for node in dataset.subcontracts
        if node.site_id == site_id
    }
    companies = body["companies"]
    assert {tuple(item.values()) for item in companies} == expected
    assert len(companies) == len(expected)
    assert all(
        set(item) == {"company_id", "name", "tier", "parent_company_id"}
        for item in companies
    )
    position = {item["company_id"]: index for index, item in enumerate(companies)}
    for item in companies[1:]:
        assert position[item["parent_company_id"]] < position[item["company_id"]]
    assert companies[0]["tier"] == 0


def test_summary_has_no_worker_data(server: LiveServer, dataset: Dataset) -> None:
    site_id = personas(server.services)["site_id"]
    text = summary(server, actor_of(server.services, "orderer"), site_id).text
    for worker in dataset.workers:
        identity = worker.groups["identity"]
        assert worker.worker_id not in text
        assert identity["name"] not in text
        assert identity["name_kana"] not in text
        assert worker.groups["contact"]["phone"] not in text


def test_prime_reads_same_summary(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    orderer = summary(server, actor_of(server.services, "orderer"), site_id, PERIOD)
    prime = summary(server, actor_of(server.services, "prime"), site_id, PERIOD)
    assert prime.status_code == 200
    assert prime.json() == orderer.json()


@pytest.mark.parametrize(
    "name",
    ["employer", "upper", "past_prime", "outsider", "worker", "regulator", "device"],
)
def test_others_get_404(server: LiveServer, name: str) -> None:
    site_id = personas(server.services)["site_id"]
    assert_problem(summary(server, actor_of(server.services, name), site_id), 404)


def test_orderer_reads_no_worker(server: LiveServer) -> None:
    ids = personas(server.services)
    with server.client(actor_of(server.services, "orderer")) as client:
        assert_problem(client.get(f"/workers/{ids['worker']}"), 404)
        assert_problem(client.get(f"/sites/{ids['site_id']}/roster"), 404)


def test_other_sites_orderer_gets_404(server: LiveServer, dataset: Dataset) -> None:
    live = site_of(dataset, "live").site_id
    other = orderer_staff(dataset, site_of(dataset, "ended"))
    assert_problem(summary(server, other, live), 404)


def test_ended_site_ends_at_handover(server: LiveServer, dataset: Dataset) -> None:
    ended = site_of(dataset, "ended")
    first = ended.period_end - timedelta(days=27)
    params = {"from": first.isoformat(), "to": "2026-11-27"}
    response = summary(server, orderer_staff(dataset, ended), ended.site_id, params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ended"
    assert body["start"] == first.isoformat()
    assert body["end"] == ended.period_end.isoformat()
    assert body["days"] == 28
    expected = expected_counts(dataset, ended.site_id, first, ended.period_end)
    assert body["head_counts"] == expected
    assert any(item["workers"] for item in expected)


def test_upcoming_site_counts_nothing(server: LiveServer, dataset: Dataset) -> None:
    upcoming = site_of(dataset, "upcoming")
    response = summary(server, orderer_staff(dataset, upcoming), upcoming.site_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["start"] is None
    assert body["end"] is None
    assert body["days"] == 0
    assert body["closed_days"] == 0
    assert body["closed_day_rate"] is None
    assert body["head_counts"] == []
    assert body["closed_day_windows"] == []
    tree = {n.company_id for n in dataset.subcontracts if n.site_id == upcoming.site_id}
    assert {item["company_id"] for item in body["companies"]} == tree


def test_default_is_four_weeks_to_yesterday(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    body = summary(server, actor_of(server.services, "orderer"), site_id).json()
    assert body["start"] == "2026-11-02"
    assert body["end"] == "2026-11-29"
    assert body["days"] == 28
    assert len(body["closed_day_windows"]) == 1


def test_today_not_counted(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    params = {"from": "2026-11-20", "to": "2026-12-31"}
    body = summary(server, actor_of(server.services, "orderer"), site_id, params)
    assert body.json()["end"] == "2026-11-29"
    assert body.json()["days"] == 10


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"from": "2026-11-10", "to": "2026-11-09"}, "from"),
        ({"from": "2025-11-01", "to": "2026-11-02"}, "to"),
        ({"from": "1999-12-31", "to": "2000-01-02"}, "from"),
    ],
)
def test_invalid_period_gets_400(
    server: LiveServer, params: dict[str, str], parameter: str
) -> None:
    site_id = personas(server.services)["site_id"]
    response = summary(server, actor_of(server.services, "orderer"), site_id, params)
    body = assert_problem(response, 400)
    assert body["parameter"] == parameter
    assert parameter in str(body["detail"])


def test_malformed_date_gets_400(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    params = {"from": "2026-13-01"}
    response = summary(server, actor_of(server.services, "orderer"), site_id, params)
    assert_problem(response, 400)


def test_unknown_and_invalid_site(server: LiveServer) -> None:
    orderer = actor_of(server.services, "orderer")
    assert_problem(summary(server, orderer, "99999999999999"), 404)
    body = assert_problem(summary(server, orderer, "12345"), 400)
    assert body["parameter"] == "site_id"


def test_summary_calls_audited(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    orderer = actor_of(server.services, "orderer")
    outsider = actor_of(server.services, "outsider")
    summary(server, orderer, site_id)
    summary(server, outsider, site_id)
    with server.services.session() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.resource == "site_summary")
            .order_by(AuditEvent.seq)
        ).all()
    by_actor = {event.actor_id: event for event in events}
    allowed = by_actor[orderer.subject]
    denied = by_actor[outsider.subject]
    assert allowed.action == "read_site_summary"
    assert allowed.decision == "allow"
    assert allowed.site_id == site_id
    assert allowed.actor_company_id == orderer.company_id
    assert allowed.basis == [{"kind": "orderer", "ref": site_id, "groups": []}]
    assert allowed.field_groups == []
    assert denied.decision == "deny"
    assert denied.site_id == site_id
    assert all(event.worker_id is None for event in events)


def test_prime_basis_is_prime(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    prime = actor_of(server.services, "prime")
    summary(server, prime, site_id)
    with server.services.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.resource == "site_summary",
                AuditEvent.actor_id == prime.subject,
            )
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).one()
    assert event.decision == "allow"
    assert event.basis == [{"kind": "prime", "ref": site_id, "groups": []}]


def test_site_without_orderer_company() -> None:
    engine = PolicyEngine()
    facts = SiteSummaryFacts("00000000000001", "00000000000002", None)
    companyless = StaffActor(subject="s1", client_id="test", company_id=None)
    prime = StaffActor(subject="s2", client_id="test", company_id="00000000000002")
    other = StaffActor(subject="s3", client_id="test", company_id="00000000000003")
    assert not engine.is_allowed(companyless, "read_summary", facts)
    assert not engine.is_allowed(other, "read_summary", facts)
    assert engine.is_allowed(prime, "read_summary", facts)
