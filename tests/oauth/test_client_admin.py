"""The client registry API for operators: register, list, show, disable."""

from __future__ import annotations

from dataclasses import replace

import httpx
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.auth.actors import OperatorActor
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem
from tests.oauth.helpers import basic_auth

ADMIN = frozenset({"clients:admin"})


def operator_http(server: LiveServer, scopes: frozenset[str] = ADMIN) -> httpx.Client:
    operator = OperatorActor(subject="ops-tanaka", client_id="ccus-cli", scopes=scopes)
    token = server.services.tokens.issue(operator)
    return httpx.Client(
        base_url=server.base_url,
        timeout=30,
        headers={"Authorization": f"Bearer {token}"},
    )


PEOPLE_CLIENT = {
    "client_name": "Genba Daicho Cloud",
    "token_endpoint_auth_method": "client_secret_basic",
    "redirect_uris": ["https://app.example.jp/callback"],
    "scope": "workers:read consents:read",
}


def test_operator_registers_lists_shows_and_disables(server: LiveServer) -> None:
    with operator_http(server) as http:
        created = http.post("/oauth/clients", json=PEOPLE_CLIENT)
        assert created.status_code == 201, created.text
        body = created.json()
        client_id = body["client_id"]
        assert body["grant_types"] == ["authorization_code", "refresh_token"]
        assert body["redirect_uris"] == PEOPLE_CLIENT["redirect_uris"]
        assert body["scopes"] == ["consents:read", "workers:read"]
        secret = body["client_secret"]
        listed = http.get("/oauth/clients").json()["clients"]
        assert [item["client_id"] for item in listed] == [client_id]
        assert "client_secret" not in listed[0]
        shown = http.get(f"/oauth/clients/{client_id}")
        assert shown.json()["name"] == "Genba Daicho Cloud"
        disabled = http.post(f"/oauth/clients/{client_id}/disable")
        assert disabled.status_code == 200
        assert disabled.json()["disabled_at"] is not None
    with server.client() as http:
        refused = http.post(
            "/oauth/revoke",
            data={"token": "anything"},
            headers=basic_auth(client_id, secret),
        )
    assert refused.status_code == 401
    with server.services.session() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor_kind == "operator")
            )
        )
    assert actions == ["register_client", "disable_client"]


def test_invalid_registration_names_the_problem(server: LiveServer) -> None:
    bad = {**PEOPLE_CLIENT, "redirect_uris": ["http://app.example.jp/callback"]}
    with operator_http(server) as http:
        response = http.post("/oauth/clients", json=bad)
        unknown = http.get("/oauth/clients/nobody")
    body = assert_problem(response, 400)
    assert "loopback" in str(body["detail"])
    assert_problem(unknown, 404)


def test_operator_token_without_the_scope_is_refused(server: LiveServer) -> None:
    with operator_http(server, scopes=frozenset()) as http:
        response = http.get("/oauth/clients")
    assert_problem(response, 403)
    assert 'scope="clients:admin"' in response.headers["www-authenticate"]


def test_staff_with_the_scope_is_still_refused(server: LiveServer) -> None:
    """Only an operator's actor passes, whatever scopes a token claims."""
    staff = replace(actor_of(server.services, "employer"), scopes=ADMIN)
    with server.client(staff) as http:
        response = http.post("/oauth/clients", json=PEOPLE_CLIENT)
    body = assert_problem(response, 403)
    assert body["type"].endswith("/not-an-operator")
    with server.services.session() as session:
        assert (
            session.scalar(
                select(AuditEvent.seq).where(AuditEvent.action == "register_client")
            )
            is None
        )
