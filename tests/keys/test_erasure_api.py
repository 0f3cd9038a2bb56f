"""The erasure endpoint: who may erase, and what a caller sees afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ccus.auth.actors import StaffActor, WorkerActor
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas
from tests.keys.conftest import Registry


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()


def employer_staff(server: LiveServer, role: str) -> StaffActor:
    employer = actor_of(server.services, "employer")
    return StaffActor(
        subject="00000000000777",
        client_id="test-client",
        company_id=employer.company_id,
        roles=(role,),
    )


def test_worker_erases_own_record(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(WorkerActor(subject=target, client_id="app")) as client:
        response = client.post(f"/workers/{target}/erasure")
        assert response.status_code == 200, response.text
        assert response.json()["worker_id"] == target
        assert_problem(client.get("/workers/me"), 404)
    with server.client(actor_of(server.services, "employer")) as client:
        assert_problem(client.get(f"/workers/{target}"), 404)


def test_employer_administrator_erases(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(employer_staff(server, "administrator")) as client:
        assert client.post(f"/workers/{target}/erasure").status_code == 200
        assert_problem(client.get(f"/workers/{target}"), 404)


def test_employer_clerk_gets_403(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(employer_staff(server, "clerk")) as client:
        assert_problem(client.post(f"/workers/{target}/erasure"), 403)
        assert client.get(f"/workers/{target}").status_code == 200


def test_prime_may_read_not_erase(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, "prime")) as client:
        assert_problem(client.post(f"/workers/{target}/erasure"), 403)


@pytest.mark.parametrize("name", ["outsider", "past_prime", "regulator", "device"])
def test_others_get_404(server: LiveServer, name: str) -> None:
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, name)) as client:
        assert_problem(client.post(f"/workers/{target}/erasure"), 404)
    with server.client(actor_of(server.services, "worker")) as client:
        assert client.get("/workers/me").status_code == 200


def test_erasure_is_audited(server: LiveServer) -> None:
    target = personas(server.services)["worker"]
    with server.client(actor_of(server.services, "outsider")) as client:
        client.post(f"/workers/{target}/erasure")
    with server.client(actor_of(server.services, "worker")) as client:
        client.post(f"/workers/{target}/erasure")
    with server.client(actor_of(server.services, "regulator")) as client:
        events = client.get("/audit/events", params={"worker_id": target}).json()
    erasures = [e for e in events["items"] if e["action"] == "erase_worker"]
    assert [e["decision"] for e in erasures] == ["allow", "deny"]
