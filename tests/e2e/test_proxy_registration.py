"""Roster registration: own workers, proxy registration under an agreement.

These tests write roster entries and agreements, so they run on a registry
of their own instead of the shared demo server.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from ccus.audit.models import AuditEvent
from ccus.auth.actors import Actor, DeviceActor, RegulatorActor, StaffActor
from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.companies import COMPANIES
from ccus.demo.dataset import Dataset, build_dataset
from ccus.demo.load import load_dataset
from ccus.history.models import WorkHistory
from ccus.registry.models import Employment
from ccus.services import build_services
from ccus.sites.models import CompanyAgreement, RosterEntry
from tests.conftest import (
    FIXED_NOW,
    LiveServer,
    _drop_postgres_database,
    _new_postgres_database,
    fixed_clock,
    postgres_admin_url,
    settings_for,
)
from tests.e2e.helpers import actor_of, assert_problem, personas
from tests.keys.test_directory import NEW_WORKER

TODAY = date(2026, 11, 30)  # FIXED_NOW in JST
BIRTH_DATES = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    tmp_path = tmp_path_factory.mktemp("proxy")
    keys_dir = tmp_path / "keys"
    create_local_keyring(keys_dir)
    dropped: tuple[str, str] | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ccus.sqlite3'}"
    else:
        admin_url = postgres_admin_url()
        if not admin_url:
            pytest.skip("CCUS_TEST_POSTGRES_URL is not set")
        name, url = _new_postgres_database(admin_url)
        dropped = (admin_url, name)
    upgrade(url)
    services = build_services(settings_for(url, keys_dir), fixed_clock)
    with services.session() as session:
        load_dataset(session, small_dataset(), services.vault, FIXED_NOW)
    live = LiveServer(services)
    live.start()
    yield live
    live.stop()
    services.sessions.kw["bind"].dispose()
    if dropped:
        _drop_postgres_database(*dropped)


@functools.cache
def small_dataset() -> Dataset:
    return build_dataset(workers=40, days=20)


def company_id(key: str) -> str:
    """Return the id of the demo company with key ``key`` in companies.COMPANIES."""
    name = next(spec.name for spec in COMPANIES if spec.key == key)
    return next(c.company_id for c in small_dataset().companies if c.name == name)


def staff(key: str, *roles: str) -> StaffActor:
    return StaffActor(
        subject="00000000000555",
        client_id="roster-test",
        company_id=company_id(key),
        roles=roles,
    )


def new_worker(server: LiveServer, key: str) -> str:
    """Register a new worker employed by company ``key`` and return the id."""
    body: dict[str, Any] = copy.deepcopy(NEW_WORKER)
    birth = date(1970, 1, 1) + timedelta(days=next(BIRTH_DATES))
    body["identity"]["birth_date"] = birth.isoformat()
    with server.client(staff(key, "administrator")) as client:
        response = client.post("/workers", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["worker_id"])


def entry_body(worker_id: str, key: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "worker_id": worker_id,
        "company_id": company_id(key),
        "trade": "rebar",
        "position": None,
        "entry_date": TODAY.isoformat(),
        "induction_date": TODAY.isoformat(),
    }
    body.update(changes)
    return body


def register(
    server: LiveServer, actor: Actor, body: dict[str, Any], site: str = "site_id"
) -> httpx.Response:
    site_id = personas(server.services)[site]
    with server.client(actor) as client:
        return client.post(f"/sites/{site_id}/roster", json=body)


def last_event(server: LiveServer, actor: Actor, action: str) -> AuditEvent:
    with server.services.session() as session:
        return session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == actor.subject, AuditEvent.action == action)
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).one()


def entries_of(server: LiveServer, worker_id: str) -> list[RosterEntry]:
    with server.services.session() as session:
        return list(
            session.scalars(
                select(RosterEntry).where(RosterEntry.worker_id == worker_id)
            )
        )


def agreement_id(server: LiveServer, upper: str, lower: str) -> int:
    with server.services.session() as session:
        found = session.scalar(
            select(CompanyAgreement.id).where(
                CompanyAgreement.upper_company_id == company_id(upper),
                CompanyAgreement.lower_company_id == company_id(lower),
            )
        )
    assert found is not None
    return int(found)


def test_upper_registers_under_agreement(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    assert upper.company_id == company_id("rebar_1")
    body = entry_body(worker_id, "rebar_2", position="team_leader")
    response = register(server, upper, body)
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"entry_id"}
    assert NEW_WORKER["identity"]["name"] not in response.text
    [entry] = entries_of(server, worker_id)
    assert entry.id == response.json()["entry_id"]
    assert entry.site_id == personas(server.services)["site_id"]
    assert entry.company_id == company_id("rebar_2")
    assert entry.trade == "rebar"
    assert entry.position == "team_leader"
    assert entry.entry_date == TODAY
    assert entry.exit_date is None
    event = last_event(server, upper, "register_roster_entry")
    assert event.decision == "allow"
    assert event.resource == "roster_entry"
    assert event.worker_id == worker_id
    assert event.site_id == entry.site_id
    ref = str(agreement_id(server, "rebar_1", "rebar_2"))
    assert event.basis == [{"kind": "agreement", "ref": ref, "groups": []}]


def test_second_entry_gets_409(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    assert register(server, upper, entry_body(worker_id, "rebar_2")).status_code == 201
    employer = actor_of(server.services, "employer")
    response = register(server, employer, entry_body(worker_id, "rebar_2"))
    assert_problem(response, 409)
    assert len(entries_of(server, worker_id)) == 1
    assert last_event(server, employer, "register_roster_entry").decision == "deny"


def test_own_worker_registered(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    employer = actor_of(server.services, "employer")
    response = register(server, employer, entry_body(worker_id, "rebar_2"))
    assert response.status_code == 201, response.text
    with server.services.session() as session:
        employment = session.scalar(
            select(Employment.id).where(Employment.worker_id == worker_id)
        )
    event = last_event(server, employer, "register_roster_entry")
    assert event.decision == "allow"
    assert event.basis == [{"kind": "employment", "ref": str(employment), "groups": []}]


def test_no_agreement_refused(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    prime = actor_of(server.services, "prime")
    response = register(server, prime, entry_body(worker_id, "rebar_2"))
    body = assert_problem(response, 403)
    assert "agreement" in str(body["detail"])
    assert entries_of(server, worker_id) == []
    event = last_event(server, prime, "register_roster_entry")
    assert event.decision == "deny"
    assert event.worker_id == worker_id
    assert event.basis == []


def test_ended_agreement_refused(server: LiveServer) -> None:
    worker_id = new_worker(server, "painting_2")
    interior = staff("interior_1", "site_manager")
    response = register(server, interior, entry_body(worker_id, "painting_2"))
    assert_problem(response, 403)
    assert entries_of(server, worker_id) == []


@pytest.mark.parametrize(
    ("signed_on", "ended_on", "status"),
    [
        (date(2026, 1, 5), date(2026, 11, 29), 403),
        (date(2026, 1, 5), TODAY, 201),
        (TODAY, None, 201),
        (date(2026, 12, 1), None, 403),
    ],
)
def test_agreement_runs_from_signing_to_end(
    server: LiveServer, signed_on: date, ended_on: date | None, status: int
) -> None:
    worker_id = new_worker(server, "electrical_2")
    agreement = CompanyAgreement(
        upper_company_id=company_id("live_prime"),
        lower_company_id=company_id("electrical_2"),
        signed_on=signed_on,
        ended_on=ended_on,
    )
    with server.services.session() as session:
        session.add(agreement)
        session.commit()
        agreement_row = agreement.id
    try:
        prime = actor_of(server.services, "prime")
        body = entry_body(worker_id, "electrical_2", trade="electrical")
        response = register(server, prime, body)
    finally:
        with server.services.session() as session:
            session.execute(
                delete(CompanyAgreement).where(CompanyAgreement.id == agreement_row)
            )
            session.commit()
    assert response.status_code == status, response.text
    assert len(entries_of(server, worker_id)) == (1 if status == 201 else 0)
    event = last_event(server, prime, "register_roster_entry")
    assert event.decision == ("allow" if status == 201 else "deny")


@pytest.mark.parametrize("key", ["rebar_1", "rebar_2"])
def test_clerk_refused(server: LiveServer, key: str) -> None:
    worker_id = new_worker(server, "rebar_2")
    clerk = staff(key, "clerk")
    response = register(server, clerk, entry_body(worker_id, "rebar_2"))
    body = assert_problem(response, 403)
    assert "administrators and site managers" in str(body["detail"])
    assert entries_of(server, worker_id) == []
    assert last_event(server, clerk, "register_roster_entry").decision == "deny"


def test_company_not_below_refused(server: LiveServer) -> None:
    # formwork_1 has a running agreement with rebar_2 but is in another branch
    # of the live site's tree.
    assert agreement_id(server, "formwork_1", "rebar_2")
    worker_id = new_worker(server, "rebar_2")
    formwork = staff("formwork_1", "site_manager")
    response = register(server, formwork, entry_body(worker_id, "rebar_2"))
    assert_problem(response, 403)
    assert entries_of(server, worker_id) == []


def test_worker_of_other_company_refused(server: LiveServer) -> None:
    worker_id = new_worker(server, "formwork_2")
    employer = actor_of(server.services, "employer")
    response = register(server, employer, entry_body(worker_id, "rebar_2"))
    assert_problem(response, 403)
    upper = actor_of(server.services, "upper")
    assert_problem(register(server, upper, entry_body(worker_id, "rebar_2")), 403)
    assert entries_of(server, worker_id) == []


def test_unknown_worker_refused(server: LiveServer) -> None:
    upper = actor_of(server.services, "upper")
    response = register(server, upper, entry_body("99999999999997", "rebar_2"))
    assert_problem(response, 403)


def test_company_outside_tree_refused(server: LiveServer) -> None:
    worker_id = new_worker(server, "outsider")
    prime = actor_of(server.services, "prime")
    response = register(server, prime, entry_body(worker_id, "outsider"))
    body = assert_problem(response, 403)
    assert "company_id" in str(body["detail"])


def test_ended_site_refused(server: LiveServer) -> None:
    worker_id = new_worker(server, "past_prime")
    past_prime = actor_of(server.services, "past_prime")
    body = entry_body(worker_id, "past_prime", entry_date="2026-05-01")
    body["induction_date"] = "2026-05-01"
    response = register(server, past_prime, body, site="past_site_id")
    problem = assert_problem(response, 403)
    assert "ended" in str(problem["detail"])
    assert entries_of(server, worker_id) == []


@pytest.mark.parametrize(
    "actor",
    [
        "outsider",
        "past_prime",
        "orderer",
        "worker",
        RegulatorActor(subject="auditor", client_id="roster-test"),
        DeviceActor(subject="gate", client_id="gate", site_id="00000000000000"),
    ],
)
def test_outside_tree_gets_404(server: LiveServer, actor: Actor | str) -> None:
    if isinstance(actor, str):
        actor = actor_of(server.services, actor)
    worker_id = personas(server.services)["worker"]
    assert_problem(register(server, actor, entry_body(worker_id, "rebar_2")), 404)


def test_unknown_site_gets_404(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    employer = actor_of(server.services, "employer")
    with server.client(employer) as client:
        response = client.post(
            "/sites/99999999999999/roster", json=entry_body(worker_id, "rebar_2")
        )
    assert_problem(response, 404)
    event = last_event(server, employer, "register_roster_entry")
    assert event.decision == "deny"
    assert event.site_id == "99999999999999"


def test_upcoming_site_through_agreement(server: LiveServer) -> None:
    worker_id = new_worker(server, "earthwork_2")
    tobi = staff("tobi_1", "site_manager")
    body = entry_body(worker_id, "earthwork_2", trade="earthwork")
    body["entry_date"] = body["induction_date"] = "2026-12-01"
    response = register(server, tobi, body, site="upcoming_site_id")
    assert response.status_code == 201, response.text
    event = last_event(server, tobi, "register_roster_entry")
    ref = str(agreement_id(server, "tobi_1", "earthwork_2"))
    assert event.basis == [{"kind": "agreement", "ref": ref, "groups": []}]


def test_registration_grants_no_read(server: LiveServer) -> None:
    worker_id = new_worker(server, "earthwork_2")
    tobi = staff("tobi_1", "site_manager")
    body = entry_body(worker_id, "earthwork_2", trade="earthwork")
    body["entry_date"] = body["induction_date"] = "2026-12-01"
    assert register(server, tobi, body, site="upcoming_site_id").status_code == 201
    with server.client(tobi) as client:
        assert_problem(client.get(f"/workers/{worker_id}"), 404)
    event = last_event(server, tobi, "read_worker")
    assert event.decision == "deny"
    assert event.worker_id == worker_id
    assert event.field_groups == []


def test_proxy_entry_discloses_after_site_work(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    response = register(server, upper, entry_body(worker_id, "rebar_2"))
    assert response.status_code == 201, response.text
    site_id = personas(server.services)["site_id"]

    def listed(actor: Actor) -> list[str]:
        ids: list[str] = []
        after = 0
        with server.client(actor) as client:
            while True:
                page = client.get(
                    f"/sites/{site_id}/roster", params={"after": after, "limit": 200}
                ).json()
                ids += [item["worker_id"] for item in page["items"]]
                if page["next_cursor"] is None:
                    return ids
                after = int(page["next_cursor"])

    with server.client(upper) as client:
        assert_problem(client.get(f"/workers/{worker_id}"), 404)
    assert worker_id not in listed(upper)
    assert worker_id in listed(staff("rebar_2", "site_manager"))

    with server.services.session() as session:
        session.add(
            WorkHistory(
                worker_id=worker_id,
                site_id=site_id,
                work_date=TODAY,
                employer_company_id=company_id("rebar_2"),
                tier=2,
                trade="rebar",
                position=None,
            )
        )
        session.commit()
    with server.client(upper) as client:
        response = client.get(f"/workers/{worker_id}")
    assert response.status_code == 200
    assert response.json()["field_groups"] == ["history", "roster"]
    assert worker_id in listed(upper)


def test_agreement_alone_grants_no_read(server: LiveServer) -> None:
    # formwork_1's agreement names the target's employer, but formwork_1 has
    # no link to the target on any live site.
    assert agreement_id(server, "formwork_1", "rebar_2")
    target = personas(server.services)["worker"]
    formwork = staff("formwork_1", "site_manager")
    with server.client(formwork) as client:
        response = client.get(f"/workers/{target}")
    assert_problem(response, 404)
    event = last_event(server, formwork, "read_worker")
    assert event.decision == "deny"
    assert event.worker_id == target
    assert event.actor_company_id == company_id("formwork_1")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"worker_id": "12345"}, "worker_id"),
        ({"company_id": "abc"}, "company_id"),
        ({"trade": "山田太郎"}, "trade"),
        ({"trade": ""}, "trade"),
        ({"position": "boss"}, "position"),
        ({"induction_date": "2026-11-29"}, "induction_date"),
    ],
)
def test_invalid_field_gets_400(
    server: LiveServer, changes: dict[str, Any], field: str
) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    body = entry_body(worker_id, "rebar_2")
    body.update(changes)
    response = register(server, upper, body)
    body = assert_problem(response, 400)
    assert field in str(body["detail"])
    assert "山田" not in response.text
    assert entries_of(server, worker_id) == []


def test_unknown_field_gets_400(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    body = entry_body(worker_id, "rebar_2", name="髙橋　𠮷男")
    response = register(server, upper, body)
    assert_problem(response, 400)
    assert "髙橋" not in response.text
    assert entries_of(server, worker_id) == []


def test_entry_outside_period_gets_400(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    body = entry_body(worker_id, "rebar_2", entry_date="2026-01-05")
    problem = assert_problem(register(server, upper, body), 400)
    assert problem["field"] == "entry_date"
    assert entries_of(server, worker_id) == []
    assert last_event(server, upper, "register_roster_entry").decision == "deny"
