"""Tokens from the token endpoint at work: touches, audit reads, revocation."""

from __future__ import annotations

from datetime import date

import httpx
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from sqlalchemy import select

from ccus.history.models import WorkHistory
from ccus.sites.models import RosterEntry, Site
from tests.conftest import LiveServer
from tests.e2e.helpers import assert_problem, personas
from tests.oauth.helpers import (
    assert_no_store,
    assert_oauth_error,
    basic_auth,
    register,
    token_for,
)

WORK_DAY = date(2026, 11, 30)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def idle_worker(server: LiveServer, site_id: str) -> str:
    """Return a worker on the site's open roster with no history on WORK_DAY."""
    with server.services.session() as session:
        busy = select(WorkHistory.worker_id).where(
            WorkHistory.site_id == site_id, WorkHistory.work_date == WORK_DAY
        )
        worker_id = session.scalar(
            select(RosterEntry.worker_id)
            .where(
                RosterEntry.site_id == site_id,
                RosterEntry.exit_date.is_(None),
                RosterEntry.entry_date < WORK_DAY,
                RosterEntry.worker_id.not_in(busy),
            )
            .order_by(RosterEntry.id)
            .limit(1)
        )
    assert worker_id is not None
    return str(worker_id)


def touch(worker_id: str) -> dict[str, object]:
    return {
        "touches": [
            {
                "touch_id": f"oauth-{worker_id}-in",
                "worker_id": worker_id,
                "touched_at": "2026-11-30T08:00:00+09:00",
                "direction": "in",
            }
        ]
    }


def test_device_token_posts_touches(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None and client.site_id is not None
    token = token_for(server, client.client_id, secret)
    worker_id = idle_worker(server, client.site_id)
    with server.client() as http:
        response = http.post(
            f"/sites/{client.site_id}/touches",
            json=touch(worker_id),
            headers=bearer(token),
        )
    assert response.status_code == 200, response.text
    assert response.json() == {"accepted": 1, "duplicates": 0, "rejected": []}


def test_device_token_rejected_elsewhere(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    target = personas(server.services)["worker"]
    with server.services.session() as session:
        other_site = session.scalar(
            select(Site.site_id).where(Site.site_id != client.site_id).limit(1)
        )
    assert other_site is not None
    with server.client() as http:
        # A device token cannot hold these routes' scopes, so no policy runs.
        for path, scope in (
            (f"/workers/{target}", "workers:read"),
            ("/audit/events", "audit:read"),
        ):
            refused = http.get(path, headers=bearer(token))
            assert_problem(refused, 403)
            assert f'scope="{scope}"' in refused.headers["www-authenticate"]
        response = http.post(
            f"/sites/{other_site}/touches",
            json=touch(target),
            headers=bearer(token),
        )
        assert_problem(response, 404)


def test_regulator_token_reads_audit(server: LiveServer) -> None:
    client, secret = register(server.services, acts_as="regulator")
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    with server.client() as http:
        response = http.get("/audit/events", headers=bearer(token))
    assert response.status_code == 200, response.text
    actions = {item["action"] for item in response.json()["items"]}
    assert "issue_token" in actions


def test_revoked_token_fails_next_request(server: LiveServer) -> None:
    client, secret = register(server.services, acts_as="regulator")
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    with server.client() as http:
        assert http.get("/audit/events", headers=bearer(token)).status_code == 200
        revoked = http.post(
            "/oauth/revoke",
            data={"token": token, "token_type_hint": "access_token"},
            headers=basic_auth(client.client_id, secret),
        )
        assert revoked.status_code == 200, revoked.text
        assert_no_store(revoked)
        after = http.get("/audit/events", headers=bearer(token))
    body = assert_problem(after, 401)
    assert "revoked" in str(body["detail"])
    fresh = token_for(server, client.client_id, secret)
    with server.client() as http:
        assert http.get("/audit/events", headers=bearer(fresh)).status_code == 200


def test_revoking_other_clients_token_rejected(server: LiveServer) -> None:
    owner, owner_secret = register(server.services, acts_as="regulator")
    other, other_secret = register(server.services, acts_as="regulator")
    assert owner_secret is not None and other_secret is not None
    token = token_for(server, owner.client_id, owner_secret)
    with server.client() as http:
        response = http.post(
            "/oauth/revoke",
            data={"token": token},
            headers=basic_auth(other.client_id, other_secret),
        )
        assert_oauth_error(response, 400, "invalid_grant")
        assert http.get("/audit/events", headers=bearer(token)).status_code == 200


def test_revoking_invalid_token_succeeds(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    with server.client() as http:
        response = http.post(
            "/oauth/revoke",
            data={"token": "not-a-token"},
            headers=basic_auth(client.client_id, secret),
        )
    assert response.status_code == 200, response.text


def test_revocation_needs_client_and_token(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    with server.client() as http:
        anonymous = http.post("/oauth/revoke", data={"token": token})
        assert_oauth_error(anonymous, 401, "invalid_client")
        missing = http.post(
            "/oauth/revoke",
            data={"token_type_hint": "access_token"},
            headers=basic_auth(client.client_id, secret),
        )
        assert_oauth_error(missing, 400, "invalid_request")
        hint = http.post(
            "/oauth/revoke",
            data={"token": token, "token_type_hint": "id_token"},
            headers=basic_auth(client.client_id, secret),
        )
        assert_oauth_error(hint, 400, "unsupported_token_type")


def introspect(
    http: httpx.Client, token: str, client_id: str, secret: str
) -> httpx.Response:
    return http.post(
        "/oauth/introspect",
        data={"token": token},
        headers=basic_auth(client_id, secret),
    )


def test_introspection_active_then_inactive(server: LiveServer) -> None:
    client, secret = register(server.services)
    resource, resource_secret = register(server.services, acts_as="regulator")
    assert secret is not None and resource_secret is not None
    token = token_for(server, client.client_id, secret)
    with server.client() as http:
        active = introspect(http, token, resource.client_id, resource_secret)
        assert active.status_code == 200, active.text
        assert_no_store(active)
        body = active.json()
        assert body["active"] is True
        assert body["client_id"] == client.client_id
        assert body["sub"] == client.client_id
        assert body["scope"] == "touches:write"
        assert body["token_type"] == "Bearer"
        assert body["aud"] == server.services.settings.audience
        assert body["iss"] == server.services.settings.issuer
        assert body["exp"] - body["iat"] == 600
        assert body["ccus_actor"] == {"kind": "device", "site_id": client.site_id}
        http.post(
            "/oauth/revoke",
            data={"token": token},
            headers=basic_auth(client.client_id, secret),
        )
        revoked = introspect(http, token, resource.client_id, resource_secret)
        assert revoked.json() == {"active": False}
        garbage = introspect(http, "a.b.c", resource.client_id, resource_secret)
        assert garbage.json() == {"active": False}


def test_introspection_needs_client(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    with server.client() as http:
        response = http.post("/oauth/introspect", data={"token": token})
        assert_oauth_error(response, 401, "invalid_client")
        wrong = introspect(http, token, client.client_id, "wrong")
        assert_oauth_error(wrong, 401, "invalid_client")


def test_metadata_lists_what_is_served(server: LiveServer) -> None:
    with server.client() as http:
        response = http.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    body = response.json()
    issuer = server.services.settings.issuer
    assert body["issuer"] == issuer
    assert body["token_endpoint"] == f"{issuer}/oauth/token"
    assert body["revocation_endpoint"] == f"{issuer}/oauth/revoke"
    assert body["introspection_endpoint"] == f"{issuer}/oauth/introspect"
    assert body["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert body["authorization_endpoint"] == f"{issuer}/oauth/authorize"
    assert body["grant_types_supported"] == [
        "authorization_code",
        "refresh_token",
        "client_credentials",
    ]
    assert body["response_types_supported"] == ["code"]
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert body["authorization_response_iss_parameter_supported"] is True
    assert body["token_endpoint_auth_methods_supported"] == [
        "private_key_jwt",
        "client_secret_basic",
        "none",
    ]
    assert body["introspection_endpoint_auth_methods_supported"] == [
        "private_key_jwt",
        "client_secret_basic",
    ]
    assert body["token_endpoint_auth_signing_alg_values_supported"] == [
        "ES256",
        "EdDSA",
        "PS256",
    ]
    metadata = AuthorizationServerMetadata(body)
    for name in metadata.REGISTRY_KEYS:
        # An empty response_types_supported is true here: no grant uses the
        # authorization endpoint. authlib requires a non-empty list.
        if name != "response_types_supported":
            getattr(metadata, f"validate_{name}")()
