"""The worker's access log, the CSV export, and failing whole without audit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from ccus.audit.models import AuditEvent
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas
from tests.keys.conftest import Registry


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()


def read_target_as(server: LiveServer, name: str) -> int:
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, name)) as client:
        return client.get(f"/workers/{target}").status_code


def test_worker_sees_who_read(server: LiveServer) -> None:
    assert read_target_as(server, "prime") == 200
    assert read_target_as(server, "outsider") == 404
    prime = actor_of(server.services, "prime")
    outsider = actor_of(server.services, "outsider")
    with server.client(actor_of(server.services, "worker")) as client:
        items = client.get("/workers/me/access-log").json()["items"]
    by_company = {item["actor_company_id"]: item for item in items}
    assert by_company[prime.company_id]["decision"] == "allow"
    assert by_company[prime.company_id]["third_party"] is True
    assert by_company[prime.company_id]["field_groups"] == ["history", "roster"]
    assert by_company[prime.company_id]["actor_company_name"]
    assert by_company[outsider.company_id]["decision"] == "deny"
    assert by_company[outsider.company_id]["third_party"] is False
    assert all("actor_id" not in item for item in items)


def test_employer_read_not_third_party(server: LiveServer) -> None:
    assert read_target_as(server, "employer") == 200
    employer = actor_of(server.services, "employer")
    with server.client(actor_of(server.services, "worker")) as client:
        items = client.get("/workers/me/access-log").json()["items"]
    own = [i for i in items if i["actor_company_id"] == employer.company_id]
    assert own
    assert all(item["third_party"] is False for item in own)


@pytest.mark.parametrize("name", ["employer", "prime", "regulator", "device"])
def test_access_log_only_for_workers(server: LiveServer, name: str) -> None:
    with server.client(actor_of(server.services, name)) as client:
        assert_problem(client.get("/workers/me/access-log"), 404)


def test_csv_export_matches_search(server: LiveServer) -> None:
    for name in ("prime", "outsider", "upper"):
        read_target_as(server, name)
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, "regulator")) as client:
        page = client.get("/audit/events", params={"worker_id": target}).json()
        exported = client.get(
            "/audit/events.csv", params={"worker_id": target, "limit": 2}
        )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(row["id"]) for row in rows] == [e["id"] for e in page["items"][:2]]
    assert rows[0]["decision"] == page["items"][0]["decision"]
    assert exported.headers["x-next-cursor"] == str(page["items"][1]["id"])


def test_csv_export_only_for_regulators(server: LiveServer) -> None:
    with server.client(actor_of(server.services, "prime")) as client:
        assert_problem(client.get("/audit/events.csv"), 404)


def test_read_fails_without_audit_store(server: LiveServer, registry: Registry) -> None:
    if registry.backend.kind != "sqlite":
        pytest.skip("the audit table is taken away on SQLite")
    engine = registry.services.sessions.kw["bind"]
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE audit_events RENAME TO audit_events_away"))
    try:
        target = personas(server.services)["worker"]
        with server.client(actor_of(server.services, "employer")) as client:
            response = client.get(f"/workers/{target}")
    finally:
        with engine.begin() as connection:
            connection.execute(
                text("ALTER TABLE audit_events_away RENAME TO audit_events")
            )
    problem = assert_problem(response, 503)
    assert problem["type"].endswith("/storage-unavailable")
    assert response.headers["retry-after"] == "5"
    assert "identity" not in response.text
    with registry.services.session() as session:
        requests = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.request_id == response.headers["x-request-id"])
        )
    assert requests == 0
