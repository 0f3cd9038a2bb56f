"""Consents: nothing shown before both approve, nothing after revocation or expiry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select, update

from ccus.audit.models import AuditEvent
from ccus.auth.actors import Actor, StaffActor
from ccus.registry.models import Employment, Staff
from ccus.services import build_services
from tests.conftest import FIXED_NOW, LiveServer, settings_for
from tests.e2e.helpers import actor_of, assert_problem, personas
from tests.keys.conftest import Registry


class MovableClock:
    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    server: LiveServer
    clock: MovableClock
    worker_id: str

    def actor(self, name: str) -> Actor:
        return actor_of(self.server.services, name)

    def client(self, name: str | Actor) -> httpx.Client:
        actor = self.actor(name) if isinstance(name, str) else name
        return self.server.client(actor)

    def staff_with_roles(self, company_id: str, roles: tuple[str, ...]) -> StaffActor:
        with self.server.services.session() as session:
            staff = session.scalars(
                select(Staff).where(Staff.company_id == company_id)
            ).first()
        assert staff is not None
        return StaffActor(
            subject=staff.staff_id, client_id="test", company_id=company_id, roles=roles
        )


@pytest.fixture
def world(registry: Registry) -> Iterator[World]:
    clock = MovableClock()
    services = build_services(
        settings_for(registry.backend.url, registry.keys_dir), clock
    )
    server = LiveServer(services)
    server.start()
    yield World(server, clock, personas(services)["worker"])
    server.stop()
    services.sessions.kw["bind"].dispose()


def request_body(worker_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "worker_id": worker_id,
        "groups": ["qualifications"],
        "purpose": "skills_check",
        "expires_at": (FIXED_NOW + timedelta(days=30)).isoformat(),
    }
    body.update(changes)
    return body


def create(world: World, by: str = "outsider", **changes: Any) -> dict[str, Any]:
    with world.client(by) as client:
        response = client.post(
            "/consents", json=request_body(world.worker_id, **changes)
        )
    assert response.status_code == 201, response.text
    return dict(response.json())


def decide(world: World, consent_id: int, by: str, decision: str = "approve") -> Any:
    with world.client(by) as client:
        return client.post(
            f"/consents/{consent_id}/decision", json={"decision": decision}
        )


def active_consent(world: World, **changes: Any) -> int:
    consent = create(world, **changes)
    assert decide(world, consent["consent_id"], "worker").status_code == 200
    assert decide(world, consent["consent_id"], "employer").status_code == 200
    return int(consent["consent_id"])


def detail(world: World, by: str | Actor = "outsider") -> httpx.Response:
    with world.client(by) as client:
        return client.get(f"/workers/{world.worker_id}")


def explained(world: World, by: str | Actor = "outsider") -> httpx.Response:
    with world.client(by) as client:
        return client.get(f"/workers/{world.worker_id}/access")


def listed(world: World, by: str | Actor = "outsider") -> list[dict[str, Any]]:
    with world.client(by) as client:
        response = client.get("/consented-workers")
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def disclosed_everywhere(world: World, groups: list[str]) -> None:
    """Every read path shows exactly ``groups`` of the worker to the outsider."""
    response = detail(world)
    assert response.status_code == 200, response.text
    assert response.json()["field_groups"] == groups
    assert [key for key in response.json() if key in groups] == groups
    explanation = explained(world)
    assert explanation.status_code == 200
    assert [item["group"] for item in explanation.json()["groups"]] == groups
    items = listed(world)
    assert [item["worker_id"] for item in items] == [world.worker_id]
    assert items[0]["field_groups"] == groups


def disclosed_nowhere(world: World) -> None:
    """No read path shows the outsider anything of the worker."""
    assert_problem(detail(world), 404)
    assert_problem(explained(world), 404)
    assert listed(world) == []


def test_disclosure_waits_for_both_approvals(world: World) -> None:
    consent = create(world)
    assert consent["status"] == "pending"
    disclosed_nowhere(world)
    assert decide(world, consent["consent_id"], "worker").status_code == 200
    disclosed_nowhere(world)
    response = decide(world, consent["consent_id"], "employer")
    assert response.json()["status"] == "active"
    disclosed_everywhere(world, ["qualifications"])


def test_employer_approval_alone_discloses_nothing(world: World) -> None:
    consent = create(world)
    assert decide(world, consent["consent_id"], "employer").status_code == 200
    disclosed_nowhere(world)


def test_rejection_by_either_side_ends_consent(world: World) -> None:
    for side in ("worker", "employer"):
        consent = create(world)
        other = "employer" if side == "worker" else "worker"
        assert decide(world, consent["consent_id"], other).status_code == 200
        response = decide(world, consent["consent_id"], side, "reject")
        assert response.json()["status"] == "rejected"
        disclosed_nowhere(world)


@pytest.mark.parametrize("side", ["worker", "employer"])
def test_revocation_stops_every_path_at_once(world: World, side: str) -> None:
    consent_id = active_consent(world, groups=["qualifications", "career"])
    disclosed_everywhere(world, ["qualifications", "career"])
    # A token issued before the revocation, and one issued after it.
    before = world.server.services.tokens.issue(world.actor("outsider"))
    with world.client(side) as client:
        response = client.post(f"/consents/{consent_id}/revocation")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    assert response.json()["revoked_by"] == side
    disclosed_nowhere(world)
    headers = {"Authorization": f"Bearer {before}"}
    with httpx.Client(base_url=world.server.base_url, headers=headers) as client:
        assert client.get(f"/workers/{world.worker_id}").status_code == 404
        assert client.get("/consented-workers").json()["items"] == []


def test_expiry_stops_every_path(world: World) -> None:
    expires = FIXED_NOW + timedelta(hours=2)
    consent_id = active_consent(world, expires_at=expires.isoformat())
    world.clock.now = expires - timedelta(seconds=1)
    disclosed_everywhere(world, ["qualifications"])
    world.clock.now = expires
    disclosed_nowhere(world)
    with world.client("worker") as client:
        assert client.get(f"/consents/{consent_id}").json()["status"] == "expired"


def test_consent_lapses_when_employment_ends(world: World) -> None:
    active_consent(world)
    disclosed_everywhere(world, ["qualifications"])
    employer = world.actor("employer").company_id
    with world.server.services.session() as session:
        session.execute(
            update(Employment)
            .where(
                Employment.worker_id == world.worker_id,
                Employment.company_id == employer,
            )
            .values(end_date=FIXED_NOW.date() - timedelta(days=1))
        )
        session.commit()
    disclosed_nowhere(world)


def test_offer_to_every_company_reaches_all(world: World) -> None:
    with world.client("worker") as client:
        response = client.post(
            "/consents",
            json={
                "groups": ["career"],
                "purpose": "job_search",
                "expires_at": (FIXED_NOW + timedelta(days=7)).isoformat(),
            },
        )
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["recipient_company_id"] is None
    assert offer["worker_decision"] == "approved"
    assert offer["status"] == "pending"
    disclosed_nowhere(world)
    assert decide(world, offer["consent_id"], "employer").status_code == 200
    disclosed_everywhere(world, ["career"])
    past_prime = detail(world, "past_prime")
    assert past_prime.status_code == 200
    assert past_prime.json()["field_groups"] == ["career"]


def test_disclosure_is_audited_with_the_consent_as_basis(world: World) -> None:
    consent_id = active_consent(world)
    assert detail(world).status_code == 200
    with world.server.services.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "read_worker")
            .order_by(AuditEvent.seq.desc())
        ).first()
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.resource == "consent")
            )
        )
    assert event is not None and event.decision == "allow"
    assert event.basis == [
        {"kind": "consent", "ref": str(consent_id), "groups": ["qualifications"]}
    ]
    assert {"request_consent", "approve_consent"} <= actions


@pytest.mark.parametrize(
    ("changes", "slug"),
    [
        ({"groups": []}, "invalid-groups"),
        ({"groups": ["roster"]}, "invalid-groups"),
        ({"groups": ["career", "career"]}, "invalid-groups"),
        ({"purpose": "Skills check"}, "invalid-purpose"),
        ({"expires_at": (FIXED_NOW - timedelta(days=1)).isoformat()}, "invalid-expiry"),
        (
            {"expires_at": (FIXED_NOW + timedelta(days=400)).isoformat()},
            "invalid-expiry",
        ),
        ({"expires_at": "2026-12-30T00:00:00"}, "invalid-time"),
        ({"recipient_company_id": "00000000000001"}, "invalid-recipient"),
    ],
)
def test_bad_requests_name_the_problem(
    world: World, changes: dict[str, Any], slug: str
) -> None:
    with world.client("outsider") as client:
        response = client.post(
            "/consents", json=request_body(world.worker_id, **changes)
        )
    body = assert_problem(response, 400)
    assert body["type"].endswith(slug)


def test_employer_as_recipient_is_rejected(world: World) -> None:
    with world.client("employer") as client:
        response = client.post("/consents", json=request_body(world.worker_id))
    assert_problem(response, 409)


def test_consent_parties_read_and_decide(
    world: World,
) -> None:
    consent_id = create(world)["consent_id"]
    with world.client("prime") as client:
        assert_problem(client.get(f"/consents/{consent_id}"), 404)
    employer = str(world.actor("employer").company_id)
    clerk = world.staff_with_roles(employer, ("clerk",))
    with world.client(clerk) as client:
        assert client.get(f"/consents/{consent_id}").status_code == 200
        assert_problem(
            client.post(
                f"/consents/{consent_id}/decision", json={"decision": "approve"}
            ),
            403,
        )
    assert_problem(decide(world, consent_id, "outsider"), 403)
    assert decide(world, consent_id, "worker").status_code == 200
    assert_problem(decide(world, consent_id, "worker"), 409)


def test_each_party_lists_the_consent(world: World) -> None:
    consent_id = create(world)["consent_id"]
    for name in ("worker", "employer", "outsider"):
        with world.client(name) as client:
            items = client.get("/consents").json()["items"]
        assert consent_id in [item["consent_id"] for item in items], name
    with world.client("outsider") as client:
        items = client.get("/consents").json()["items"]
    assert [item["consent_id"] for item in items] == [consent_id]
    with world.client("prime") as client:
        assert client.get("/consents").json()["items"] == []


def test_receipts_are_signed_and_are_not_access_tokens(world: World) -> None:
    consent_id = active_consent(world)
    with world.client("worker") as client:
        response = client.get(f"/consents/{consent_id}/receipt")
        keys = KeySet.import_key_set(client.get("/.well-known/jwks.json").json())
    assert response.status_code == 200
    receipt = response.json()["receipt"]
    token = jwt.decode(receipt, keys, algorithms=["ES256"])
    assert token.header["typ"] == "consent-receipt+jwt"
    assert token.claims["consent"]["consent_id"] == consent_id
    assert token.claims["consent"]["status"] == "active"
    assert token.claims["issued_to"]["kind"] == "worker"
    headers = {"Authorization": f"Bearer {receipt}"}
    with httpx.Client(base_url=world.server.base_url, headers=headers) as client:
        assert_problem(client.get("/workers/me"), 401)


def test_recipient_does_not_learn_employer(world: World) -> None:
    consent = create(world)
    assert consent["employer_company_id"] is None
    with world.client("worker") as client:
        shown = client.get(f"/consents/{consent['consent_id']}").json()
    assert shown["employer_company_id"] == world.actor("employer").company_id


def test_purpose_with_individual_number_rejected(world: World) -> None:
    number = "123456789018"
    with world.client("outsider") as client:
        response = client.post(
            "/consents", json=request_body(world.worker_id, purpose=f"a{number}")
        )
    body = assert_problem(response, 400)
    assert str(body["type"]).endswith("individual-number")
    assert number not in response.text


@pytest.mark.parametrize("consent_id", ["0", "2147483648", "9223372036854775808"])
def test_out_of_range_consent_id_is_404(world: World, consent_id: str) -> None:
    with world.client("worker") as client:
        assert_problem(client.get(f"/consents/{consent_id}"), 404)


def test_consent_request_is_not_logged_as_disclosure(world: World) -> None:
    create(world)
    with world.client("worker") as client:
        entries = client.get("/workers/me/access-log").json()["items"]
    requests = [e for e in entries if e.get("action") == "request_consent"]
    assert requests
    assert all(entry["field_groups"] == [] for entry in requests)


def test_refused_decision_is_audited(world: World) -> None:
    consent_id = create(world)["consent_id"]
    assert_problem(decide(world, consent_id, "outsider"), 403)
    with world.server.services.session() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "approve_consent")
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert event is not None
    assert event.decision == "deny"
    assert event.worker_id == world.worker_id
    assert event.basis == [{"kind": "consent", "ref": str(consent_id), "groups": []}]
