"""Registration, name search and national-ID matching by blind index."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from ccus.auth.actors import StaffActor
from ccus.registry.models import Worker, WorkerIndex
from ccus.registry.mynumber import check_digit
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem
from tests.keys.conftest import Registry

NEW_WORKER: dict[str, Any] = {
    "identity": {
        "name": "髙橋　𠮷男",
        "name_kana": "タカハシ　ヨシオ",
        "birth_date": "1988-04-02",
        "gender": "male",
        "nationality": "JP",
        "photo": None,
    },
    "contact": {
        "postal_code": "135-0061",
        "address": "東京都江東区豊洲3丁目2番20号",
        "phone": "090-9876-5432",
        "email": None,
    },
    "emergency_contact": {
        "name": "髙橋　花子",
        "relationship": "配偶者",
        "address": "東京都江東区豊洲3丁目2番20号",
        "phone": "080-1111-2222",
    },
    "insurance": {
        "health_insurance_kind": "kyokai_kenpo",
        "health_insurance_status": "enrolled",
        "pension_kind": "kosei_nenkin",
        "pension_status": "enrolled",
        "employment_insurance_status": "enrolled",
        "employment_insurance_number_last4": "1234",
        "kentaikyo_member": True,
        "kentaikyo_member_number": "12345678",
        "chutaikyo_member": False,
    },
    "health": {
        "last_checkup_date": "2026-04-01",
        "blood_pressure_systolic": 121,
        "blood_pressure_diastolic": 79,
        "blood_type": "A",
        "special_checkup_date": None,
        "special_checkup_kind": None,
    },
    "qualifications": [],
    "career": {"trades": [], "awards": []},
    "hire_date": "2026-10-01",
}


def individual_number() -> str:
    prefix = "12345678901"
    return prefix + str(check_digit(prefix))


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()


def clerk(server: LiveServer, role: str = "clerk") -> StaffActor:
    employer = actor_of(server.services, "employer")
    return StaffActor(
        subject="00000000000888",
        client_id="contractor-app",
        company_id=employer.company_id,
        roles=(role,),
    )


def register(server: LiveServer, body: dict[str, Any], role: str = "clerk"):  # type: ignore[no-untyped-def]
    with server.client(clerk(server, role)) as client:
        return client.post("/workers", json=body)


def test_registered_worker_reads_back(server: LiveServer) -> None:
    response = register(server, NEW_WORKER)
    assert response.status_code == 201, response.text
    worker_id = response.json()["worker_id"]
    with server.client(clerk(server)) as client:
        record = client.get(f"/workers/{worker_id}").json()
    assert record["identity"]["name"] == "髙橋　𠮷男"
    assert record["contact"]["phone"] == "090-9876-5432"
    assert record["employment"]["hire_date"] == "2026-10-01"
    with server.services.session() as session:
        indexes = session.scalars(
            select(WorkerIndex.purpose).where(WorkerIndex.worker_id == worker_id)
        )
        assert sorted(indexes) == ["duplicate", "name", "name_kana", "national_id"]


def test_duplicate_registration_gets_409(server: LiveServer) -> None:
    assert register(server, NEW_WORKER).status_code == 201
    again = copy.deepcopy(NEW_WORKER)
    again["identity"]["name_kana"] = "ﾀｶﾊｼ ﾖｼｵ"
    again["contact"]["phone"] = "090-0000-0001"
    with server.services.session() as session:
        before = len(session.scalars(select(Worker.worker_id)).all())
    body = assert_problem(register(server, again), 409)
    assert "katakana name and birth date" in str(body["detail"])
    with server.services.session() as session:
        assert len(session.scalars(select(Worker.worker_id)).all()) == before


def test_demo_worker_duplicate_detected(server: LiveServer, registry: Registry) -> None:
    existing = registry.dataset.workers[2].groups["identity"]
    body = copy.deepcopy(NEW_WORKER)
    body["identity"] = msgspec.to_builtins(existing)
    assert_problem(register(server, body), 409)


@pytest.mark.parametrize(
    "place",
    [("contact", "address"), ("emergency_contact", "phone"), ("career", "awards")],
)
def test_individual_number_rejected_everywhere(
    server: LiveServer, place: tuple[str, str]
) -> None:
    body = copy.deepcopy(NEW_WORKER)
    number = individual_number()
    group, field = place
    body[group][field] = [number] if field == "awards" else f"番号 {number}"
    with server.services.session() as session:
        before = len(session.scalars(select(Worker.worker_id)).all())
    response = register(server, body)
    problem = assert_problem(response, 400)
    assert problem["type"].endswith("/individual-number")
    assert number not in response.text
    assert str(problem["path"]).startswith(f"$.{group}.{field}")
    with server.services.session() as session:
        assert len(session.scalars(select(Worker.worker_id)).all()) == before


def test_individual_number_not_logged(server: LiveServer, log_capture) -> None:  # type: ignore[no-untyped-def]
    body = copy.deepcopy(NEW_WORKER)
    number = individual_number()
    body["contact"]["address"] = number
    register(server, body)
    assert number not in log_capture.text()


def test_touch_with_individual_number_rejected(server: LiveServer) -> None:
    from tests.e2e.helpers import personas

    site_id = personas(server.services)["site_id"]
    touch = {
        "touch_id": f"gate-{individual_number()}",
        "worker_id": personas(server.services)["worker"],
        "touched_at": "2026-11-27T08:00:00+09:00",
        "direction": "in",
    }
    with server.client(actor_of(server.services, "device")) as client:
        response = client.post(f"/sites/{site_id}/touches", json={"touches": [touch]})
    assert_problem(response, 400)


def test_non_staff_cannot_register(server: LiveServer) -> None:
    with server.client(actor_of(server.services, "worker")) as client:
        assert_problem(client.post("/workers", json=NEW_WORKER), 403)
    assert_problem(register(server, NEW_WORKER, role="site_manager"), 403)


def test_search_finds_own_worker_by_folded_name(
    server: LiveServer, registry: Registry
) -> None:
    employer = actor_of(server.services, "employer")
    own = next(
        w for w in registry.dataset.workers if w.employer_id == employer.company_id
    )
    kana = own.groups["identity"]["name_kana"]
    hiragana = "".join(
        chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana.replace("　", "")
    )
    with server.client(clerk(server)) as client:
        found = client.get("/workers", params={"name": hiragana}).json()["items"]
    assert own.worker_id in [item["worker_id"] for item in found]
    assert all(item["identity"]["name_kana"] for item in found)


def test_search_skips_other_employers(server: LiveServer, registry: Registry) -> None:
    employer = actor_of(server.services, "employer")
    other = next(
        w for w in registry.dataset.workers if w.employer_id != employer.company_id
    )
    with server.client(clerk(server)) as client:
        found = client.get(
            "/workers", params={"name": other.groups["identity"]["name"]}
        ).json()["items"]
    assert other.worker_id not in [item["worker_id"] for item in found]


def test_national_id_matches_one_worker(registry: Registry) -> None:
    worker = registry.dataset.workers[4]
    identity = worker.groups["identity"]
    indexer = registry.services.indexer
    with registry.services.session() as session:
        spaced = identity["name"].replace("　", " ")
        found = indexer.match_national_id(session, spaced, identity["birth_date"])
        wrong_day = indexer.match_national_id(
            session, identity["name"], date(1900, 1, 1)
        )
    assert found == worker.worker_id
    assert wrong_day is None


@pytest.mark.parametrize(
    "placement",
    ["top-level key", "key in contact", "gender value with quotes"],
)
def test_individual_number_never_echoed(server: LiveServer, placement: str) -> None:
    number = individual_number()
    grouped = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    body = copy.deepcopy(NEW_WORKER)
    if placement == "top-level key":
        body[number] = 1
    elif placement == "key in contact":
        body["contact"][f"備考 {grouped}"] = "x"
    else:
        body["identity"]["gender"] = f"a'b\"{number}"
    response = register(server, body)
    assert_problem(response, 400)
    assert number not in response.text
    assert grouped not in response.text


def test_worker_list_pages_own_workers(server: LiveServer, registry: Registry) -> None:
    employer = actor_of(server.services, "employer")
    own = sorted(
        w.worker_id
        for w in registry.dataset.workers
        if w.employer_id == employer.company_id
    )
    listed: list[str] = []
    after = "00000000000000"
    with server.client(clerk(server)) as client:
        while True:
            response = client.get("/workers", params={"after": after, "limit": 2})
            assert response.status_code == 200
            body = response.json()
            assert len(body["items"]) <= 2
            listed += [item["worker_id"] for item in body["items"]]
            assert all(item["identity"]["name"] for item in body["items"])
            if body["next_cursor"] is None:
                break
            after = body["next_cursor"]
    assert len(own) > 2
    assert listed == own


def test_worker_list_rejects_site_managers(server: LiveServer) -> None:
    employer = actor_of(server.services, "employer")
    manager = StaffActor(
        subject="00000000000998",
        client_id="test",
        company_id=employer.company_id,
        roles=("site_manager",),
    )
    with server.client(manager) as client:
        assert_problem(client.get("/workers"), 403)


@pytest.mark.parametrize(
    "trade",
    [
        {"trade": "rebar", "level": 7, "work_days": 10, "foreman_days": 0},
        {"trade": "rebar", "level": 2, "work_days": -5, "foreman_days": 0},
    ],
)
def test_out_of_range_career_rejected(
    server: LiveServer, trade: dict[str, Any]
) -> None:
    body = copy.deepcopy(NEW_WORKER)
    body["career"]["trades"] = [trade]
    assert_problem(register(server, body), 400)
