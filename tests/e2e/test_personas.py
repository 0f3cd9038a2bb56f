"""What each demo persona gets for the target worker and the live roster."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ccus.sites.models import RosterEntry, SubcontractPath
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas, subtree

OWN_GROUPS = [
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "past_employers",
    "history",
]
BASE_SCREEN = [group for group in OWN_GROUPS if group != "past_employers"]
NO_ROLE = ["past_prime", "outsider", "regulator", "device"]


def read_target(server: LiveServer, name: str):  # type: ignore[no-untyped-def]
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, name)) as client:
        return client.get(f"/workers/{target}")


def test_worker_sees_whole_record(server: LiveServer) -> None:
    response = read_target(server, "worker")
    assert response.status_code == 200
    body = response.json()
    assert body["field_groups"] == OWN_GROUPS
    assert [key for key in body if key in OWN_GROUPS] == OWN_GROUPS
    assert body["past_employers"], "the target worker has past employers"


def test_worker_me_matches_detail(server: LiveServer) -> None:
    with server.client(actor_of(server.services, "worker")) as client:
        me = client.get("/workers/me").json()
    detail = read_target(server, "worker").json()
    assert me == detail


def test_employer_sees_base_screen(server: LiveServer) -> None:
    response = read_target(server, "employer")
    assert response.status_code == 200
    body = response.json()
    assert body["field_groups"] == BASE_SCREEN
    assert "past_employers" not in body
    assert "roster" not in body


@pytest.mark.parametrize("name", ["prime", "upper"])
def test_upper_tiers_see_roster_fields(server: LiveServer, name: str) -> None:
    response = read_target(server, name)
    assert response.status_code == 200
    body = response.json()
    assert body["field_groups"] == ["history", "roster"]
    for group in ("identity", "contact", "insurance", "employment", "past_employers"):
        assert group not in body
    roster = body["roster"]
    assert roster["name"]
    assert roster["phone"]
    assert roster["address"]
    assert "email" not in roster
    assert "gender" not in roster


def test_employer_history_names_only_itself(server: LiveServer) -> None:
    employer = actor_of(server.services, "employer")
    history = read_target(server, "employer").json()["history"]
    assert history
    assert {record["employer_id"] for record in history} == {employer.company_id}


@pytest.mark.parametrize("name", ["prime", "upper"])
def test_upper_tiers_see_own_site_history(server: LiveServer, name: str) -> None:
    services = server.services
    actor = actor_of(services, name)
    history = read_target(server, name).json()["history"]
    assert history, "the target has history on the live site"
    with services.session() as session:
        for record in history:
            path = session.scalar(
                select(SubcontractPath).where(
                    SubcontractPath.site_id == record["site_id"],
                    SubcontractPath.ancestor_company_id == actor.company_id,
                    SubcontractPath.descendant_company_id == record["employer_id"],
                    SubcontractPath.depth >= 1,
                )
            )
            assert path is not None, record["site_id"]
    own = read_target(server, "worker").json()["history"]
    past_site = personas(services)["past_site_id"]
    assert any(record["site_id"] == past_site for record in own)
    assert all(record["site_id"] != past_site for record in history)


def test_consented_sees_qualifications_only(server: LiveServer) -> None:
    response = read_target(server, "consented")
    assert response.status_code == 200
    body = response.json()
    assert body["field_groups"] == ["qualifications"]
    assert sorted(body) == ["field_groups", "qualifications", "worker_id"]
    site_id = personas(server.services)["site_id"]
    with server.client(actor_of(server.services, "consented")) as client:
        assert_problem(client.get(f"/sites/{site_id}/roster"), 404)


@pytest.mark.parametrize("name", NO_ROLE)
def test_no_role_gets_404_for_worker(server: LiveServer, name: str) -> None:
    body = assert_problem(read_target(server, name), 404)
    assert "worker" not in str(body.get("detail", "")).lower() or "may not" in str(
        body["detail"]
    )


@pytest.mark.parametrize("name", NO_ROLE)
def test_no_role_gets_404_for_roster(server: LiveServer, name: str) -> None:
    site_id = personas(server.services)["site_id"]
    with server.client(actor_of(server.services, name)) as client:
        assert_problem(client.get(f"/sites/{site_id}/roster"), 404)


def test_unknown_worker_matches_hidden(server: LiveServer) -> None:
    with server.client(actor_of(server.services, "outsider")) as client:
        unknown = client.get("/workers/99999999999999").json()
    hidden = read_target(server, "outsider").json()
    assert unknown["detail"] == hidden["detail"]
    assert unknown["type"] == hidden["type"]


@pytest.mark.parametrize("name", ["prime", "upper", "employer"])
def test_roster_lists_own_subtree(server: LiveServer, name: str) -> None:
    services = server.services
    site_id = personas(services)["site_id"]
    actor = actor_of(services, name)
    assert actor.company_id is not None
    allowed = subtree(services, site_id, actor.company_id)
    seen: list[dict[str, object]] = []
    after = 0
    with server.client(actor) as client:
        while True:
            page = client.get(f"/sites/{site_id}/roster", params={"after": after})
            assert page.status_code == 200
            body = page.json()
            seen.extend(body["items"])
            if body["next_cursor"] is None:
                break
            after = int(body["next_cursor"])
    with services.session() as session:
        expected = session.scalars(
            select(RosterEntry.id).where(
                RosterEntry.site_id == site_id,
                RosterEntry.company_id.in_(allowed),
                RosterEntry.exit_date.is_(None),
            )
        ).all()
    assert {item["company_id"] for item in seen} <= allowed
    assert sorted(int(str(item["entry_id"])) for item in seen) == sorted(expected)


def test_upper_roster_excludes_siblings(server: LiveServer) -> None:
    services = server.services
    site_id = personas(services)["site_id"]
    upper = actor_of(services, "upper")
    prime = actor_of(services, "prime")
    assert upper.company_id is not None and prime.company_id is not None
    assert subtree(services, site_id, upper.company_id) < subtree(
        services, site_id, prime.company_id
    )


def test_roster_shows_no_other_groups(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    with server.client(actor_of(server.services, "prime")) as client:
        item = client.get(f"/sites/{site_id}/roster", params={"limit": 1}).json()[
            "items"
        ][0]
    for key in ("email", "gender", "nationality", "career", "past_employers"):
        assert key not in item
    assert item["name_kana"]


def test_regulator_finds_denied_attempts(server: LiveServer) -> None:
    services = server.services
    target = personas(services)["worker"]
    site_id = personas(services)["site_id"]
    for name in NO_ROLE:
        assert read_target(server, name).status_code == 404
        with server.client(actor_of(services, name)) as client:
            assert client.get(f"/sites/{site_id}/roster").status_code == 404
    with server.client(actor_of(services, "regulator")) as client:
        worker_events = client.get(
            "/audit/events", params={"worker_id": target, "decision": "deny"}
        ).json()["items"]
        roster_events = client.get(
            "/audit/events", params={"decision": "deny", "limit": 500}
        ).json()["items"]
    for name in NO_ROLE:
        actor = actor_of(services, name)
        assert any(e["actor_id"] == actor.subject for e in worker_events), name
        assert any(
            e["actor_id"] == actor.subject and e["site_id"] == site_id
            for e in roster_events
        ), name


def test_allowed_read_is_audited(server: LiveServer) -> None:
    services = server.services
    target = personas(services)["worker"]
    prime = actor_of(services, "prime")
    assert read_target(server, "prime").status_code == 200
    with server.client(actor_of(services, "regulator")) as client:
        events = client.get(
            "/audit/events",
            params={"worker_id": target, "company_id": prime.company_id, "limit": 1},
        ).json()["items"]
    assert events[0]["decision"] == "allow"
    assert events[0]["field_groups"] == ["history", "roster"]
    assert events[0]["basis"][0]["kind"] == "roster"
    assert events[0]["client_id"] == prime.client_id


@pytest.mark.parametrize("name", ["worker", "employer", "prime", "outsider", "device"])
def test_only_regulator_reads_audit(server: LiveServer, name: str) -> None:
    with server.client(actor_of(server.services, name)) as client:
        assert_problem(client.get("/audit/events"), 404)


def test_missing_token_gets_401(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client() as client:
        body = assert_problem(client.get(f"/workers/{target}"), 401)
    assert "Bearer" in str(body["detail"])


def test_contact_replaced_for_others(server: LiveServer) -> None:
    services = server.services
    target = personas(services)["worker"]
    employer = actor_of(services, "employer")
    from ccus.registry.models import Company, Worker

    with services.session() as session:
        worker = session.get(Worker, target)
        company = session.get(Company, employer.company_id)
        assert worker is not None and company is not None
        worker.contact_replaced = True
        session.commit()
        company_phone = company.phone
    try:
        prime_view = read_target(server, "prime").json()["roster"]
        employer_view = read_target(server, "employer").json()["contact"]
    finally:
        with services.session() as session:
            worker = session.get(Worker, target)
            assert worker is not None
            worker.contact_replaced = False
            session.commit()
    assert prime_view["phone"] == company_phone
    assert employer_view["phone"] != company_phone
