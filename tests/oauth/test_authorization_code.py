"""The authorization code grant with PKCE, the consent page and refresh rotation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.services import Services
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, personas
from tests.oauth.flow import (
    REDIRECT_URI,
    approve,
    authorize_params,
    bearer,
    browser,
    consent_form,
    exchange,
    person_of,
    pkce,
    query_of,
    refresh,
    register_people_client,
    tokens_for,
)
from tests.oauth.helpers import assert_no_store, assert_oauth_error


def audit_of(services: Services, action: str) -> list[AuditEvent]:
    with services.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.seq)
            )
        )


def failures(services: Services, action: str) -> list[str]:
    return [
        item["ref"]
        for entry in audit_of(services, action)
        if entry.decision == "deny"
        for item in entry.basis
        if item["kind"] == "failure"
    ]


def token_claims(server: LiveServer, token: str) -> dict[str, Any]:
    return server.services.tokens.verify_token(token).claims


def test_worker_approves_and_the_client_reads_their_record(server: LiveServer) -> None:
    client = register_people_client(server.services)
    body = tokens_for(server, client, "worker")
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert isinstance(body["refresh_token"], str)
    claims = token_claims(server, body["access_token"])
    assert claims["client_id"] == client.client_id
    assert claims["sub"] == personas(server.services)["worker"]
    assert claims["ccus_actor"] == {"kind": "worker"}
    with bearer(server, body["access_token"]) as http:
        own = http.get("/workers/me")
    assert own.status_code == 200, own.text
    assert own.json()["worker_id"] == personas(server.services)["worker"]
    approvals = audit_of(server.services, "authorize")
    assert [entry.decision for entry in approvals] == ["allow"]
    assert approvals[0].actor_kind == "worker"
    issued = audit_of(server.services, "issue_token")
    assert any(
        {"kind": "grant_type", "ref": "authorization_code"} in entry.basis
        for entry in issued
    )


def test_staff_token_matches_direct_read(server: LiveServer) -> None:
    client = register_people_client(server.services)
    body = tokens_for(server, client, "employer")
    target = personas(server.services)["worker"]
    with bearer(server, body["access_token"]) as http:
        through_client = http.get(f"/workers/{target}")
    with server.client(actor_of(server.services, "employer")) as http:
        direct = http.get(f"/workers/{target}")
    assert through_client.status_code == direct.status_code == 200
    # Same record, same disclosed field groups, same values.
    assert through_client.json() == direct.json()
    assert set(through_client.json()) > {"worker_id"}
    claims = token_claims(server, body["access_token"])
    assert claims["ccus_actor"]["kind"] == "staff"
    assert claims["ccus_actor"]["roles"] == list(
        actor_of(server.services, "employer").roles  # type: ignore[attr-defined]
    )


def test_scopes_the_person_granted_narrow_the_token(server: LiveServer) -> None:
    client = register_people_client(server.services)
    body = tokens_for(server, client, "worker", scope="consents:read")
    assert body["scope"] == "consents:read"
    with bearer(server, body["access_token"]) as http:
        refused = http.get("/workers/me")
        allowed = http.get("/consents")
    assert refused.status_code == 403
    assert "insufficient_scope" in refused.headers["www-authenticate"]
    assert allowed.status_code == 200


def test_consent_page_content_and_headers(
    server: LiveServer,
) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        page = http.get(
            "/oauth/authorize",
            params=authorize_params(client, challenge, scope="workers:read"),
        )
    assert page.status_code == 200
    assert "Genba Daicho Cloud" in page.text
    assert client.client_id in page.text
    assert "workers:read" in page.text
    assert "consents:write" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_anonymous_person_sent_to_login(server: LiveServer) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    with browser(server, None) as http:
        response = http.get(
            "/oauth/authorize", params=authorize_params(client, challenge)
        )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login?return_to=%2Foauth%2Fauthorize%3F")


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil@app.example.jp/callback",
        "https://app.example.jp/%63allback",
        "https://app.example.jp/callback/",
        "https://app.example.jp/callback/../callback",
        "HTTPS://app.example.jp/callback",
        "https://APP.example.jp/callback",
        "https://app.example.jp/callback?extra=1",
        "https://app.example.jp:443/callback",
        "https://app.example.jp.evil.example/callback",
        "https://app.example.jp/callback#fragment",
    ],
)
def test_redirect_uri_mismatch_shows_page(
    server: LiveServer, redirect_uri: str
) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        response = http.get(
            "/oauth/authorize",
            params=authorize_params(client, challenge, redirect_uri=redirect_uri),
        )
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "Invalid redirect URI" in response.text
    assert failures(server.services, "authorize") == ["redirect_uri_mismatch"]


def test_unknown_client_is_refused_without_redirect(server: LiveServer) -> None:
    register_people_client(server.services)
    _, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        params = {
            "response_type": "code",
            "client_id": "nobody",
            "redirect_uri": REDIRECT_URI,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        response = http.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert failures(server.services, "authorize") == ["unknown_client"]


def test_machine_client_cannot_use_the_authorization_endpoint(
    server: LiveServer,
) -> None:
    from tests.oauth.helpers import register

    machine, _ = register(server.services)
    with browser(server, person_of(server.services, "worker")) as http:
        response = http.get(
            "/oauth/authorize",
            params={"response_type": "token", "client_id": machine.client_id},
        )
    assert response.status_code == 400
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "audit:read touches:write"}, "invalid_scope"),
    ],
)
def test_request_error_redirects_with_iss(
    server: LiveServer, overrides: dict[str, str | None], error: str
) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    params = authorize_params(client, challenge, **overrides)
    with browser(server, person_of(server.services, "worker")) as http:
        response = http.get("/oauth/authorize", params=params)
    assert response.status_code == 303
    assert response.headers["location"].startswith(REDIRECT_URI + "?")
    query = query_of(response)
    assert query["error"] == error
    assert query["state"] == params["state"]
    assert query["iss"] == server.services.oauth.issuer
    assert "code" not in query
    assert failures(server.services, "authorize") == [error]


def test_approval_returns_code_state_and_issuer(server: LiveServer) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        query = approve(http, client, challenge, state="xyz-123")
    assert query["state"] == "xyz-123"
    assert query["iss"] == server.services.oauth.issuer
    assert len(query["code"]) >= 43


def test_denial_returns_access_denied(server: LiveServer) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        form = consent_form(
            http.get("/oauth/authorize", params=authorize_params(client, challenge))
        )
        form["decision"] = "deny"
        response = http.post("/oauth/authorize", data=form)
    assert response.status_code == 303
    assert query_of(response)["error"] == "access_denied"


def test_answer_without_the_session_csrf_token_is_refused(server: LiveServer) -> None:
    client = register_people_client(server.services)
    _, challenge = pkce()
    worker = person_of(server.services, "worker")
    with browser(server, worker) as http:
        form = consent_form(
            http.get("/oauth/authorize", params=authorize_params(client, challenge))
        )
    form["decision"] = "allow"
    with browser(server, worker) as other:
        forged = other.post("/oauth/authorize", data=form)
    assert forged.status_code == 403
    assert "location" not in forged.headers
    assert failures(server.services, "authorize") == ["csrf_mismatch"]


def test_code_reuse_revokes_grant(server: LiveServer) -> None:
    client = register_people_client(server.services)
    verifier, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        code = approve(http, client, challenge)["code"]
    first = exchange(server, client, code, verifier)
    assert first.status_code == 200
    second = exchange(server, client, code, verifier)
    assert_oauth_error(second, 400, "invalid_grant")
    assert failures(server.services, "issue_token") == ["invalid_grant"]
    with bearer(server, first.json()["access_token"]) as http:
        assert http.get("/workers/me").status_code == 401
    assert_oauth_error(
        refresh(server, client, first.json()["refresh_token"]), 400, "invalid_grant"
    )
    reasons = [
        item["ref"]
        for entry in audit_of(server.services, "revoke_grant")
        for item in entry.basis
        if item["kind"] == "reason"
    ]
    assert reasons == ["code_reused"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_verifier": "x" * 50},
        {"code_verifier": ""},
        {"redirect_uri": REDIRECT_URI + "/other"},
    ],
)
def test_code_exchange_mismatch_rejected(
    server: LiveServer, overrides: dict[str, str]
) -> None:
    client = register_people_client(server.services)
    verifier, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        code = approve(http, client, challenge)["code"]
    response = exchange(server, client, code, verifier, **overrides)
    body = response.json()
    assert response.status_code == 400
    assert body["error"] in ("invalid_grant", "invalid_request")


def test_code_of_another_client_is_refused(server: LiveServer) -> None:
    owner = register_people_client(server.services)
    thief = register_people_client(server.services)
    verifier, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        code = approve(http, owner, challenge)["code"]
    assert_oauth_error(exchange(server, thief, code, verifier), 400, "invalid_grant")


def test_refresh_rotates_and_reuse_revokes_the_family(server: LiveServer) -> None:
    client = register_people_client(server.services)
    first = tokens_for(server, client, "worker")
    rotated = refresh(server, client, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    with bearer(server, second["access_token"]) as http:
        assert http.get("/workers/me").status_code == 200
    replay = refresh(server, client, first["refresh_token"])
    assert_oauth_error(replay, 400, "invalid_grant")
    assert_oauth_error(
        refresh(server, client, second["refresh_token"]), 400, "invalid_grant"
    )
    for token in (first["access_token"], second["access_token"]):
        with bearer(server, token) as http:
            assert http.get("/workers/me").status_code == 401
    reasons = [
        item["ref"]
        for entry in audit_of(server.services, "revoke_grant")
        for item in entry.basis
        if item["kind"] == "reason"
    ]
    assert reasons == ["refresh_token_reused"]


def test_refresh_wider_scope_rejected(
    server: LiveServer,
) -> None:
    client = register_people_client(server.services)
    first = tokens_for(server, client, "worker", scope="workers:read")
    wider = refresh(
        server, client, first["refresh_token"], scope="workers:read consents:read"
    )
    assert_oauth_error(wider, 400, "invalid_scope")
    assert failures(server.services, "issue_token") == ["invalid_scope"]
    same = refresh(server, client, first["refresh_token"], scope="workers:read")
    assert same.status_code == 200, same.text


def test_refresh_may_narrow_the_access_token(server: LiveServer) -> None:
    client = register_people_client(server.services)
    first = tokens_for(server, client, "worker", scope="workers:read consents:read")
    narrowed = refresh(server, client, first["refresh_token"], scope="consents:read")
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "consents:read"
    again = refresh(server, client, narrowed.json()["refresh_token"])
    assert again.json()["scope"] == "consents:read workers:read"


def test_public_client_uses_pkce_alone(server: LiveServer) -> None:
    client = register_people_client(server.services, auth_method="none")
    assert client.secret is None
    body = tokens_for(server, client, "worker")
    with bearer(server, body["access_token"]) as http:
        assert http.get("/workers/me").status_code == 200
    assert refresh(server, client, body["refresh_token"]).status_code == 200


def test_confidential_client_must_authenticate_to_exchange(server: LiveServer) -> None:
    client = register_people_client(server.services)
    verifier, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        code = approve(http, client, challenge)["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": client.client_id,
    }
    with server.client() as http:
        response = http.post("/oauth/token", data=form)
    assert_oauth_error(response, 401, "invalid_client")


def test_client_without_refresh_grant_gets_no_refresh_token(server: LiveServer) -> None:
    client = register_people_client(server.services, refresh_tokens=False)
    body = tokens_for(server, client, "worker")
    assert "refresh_token" not in body


def test_person_lists_and_revokes_authorised_clients(server: LiveServer) -> None:
    client = register_people_client(server.services)
    worker = person_of(server.services, "worker")
    body = tokens_for(server, client, "worker")
    with browser(server, worker) as http:
        listing = http.get("/account/clients")
        assert listing.status_code == 200
        assert "Genba Daicho Cloud" in listing.text
        assert_no_store(listing)
        grant_id = re.findall(r"name='grant_id' value='([^']*)'", listing.text)
        csrf = re.findall(r"name='csrf_token' value='([^']*)'", listing.text)
        revoked = http.post(
            "/account/clients/revocation",
            data={"grant_id": grant_id[0], "csrf_token": csrf[0]},
        )
        assert revoked.status_code == 303
        assert "Genba Daicho Cloud" not in http.get("/account/clients").text
    with bearer(server, body["access_token"]) as http:
        assert http.get("/workers/me").status_code == 401
    assert_oauth_error(
        refresh(server, client, body["refresh_token"]), 400, "invalid_grant"
    )
    entries = audit_of(server.services, "revoke_grant")
    assert [entry.actor_kind for entry in entries] == ["worker"]


def test_person_cannot_revoke_another_persons_grant(server: LiveServer) -> None:
    client = register_people_client(server.services)
    tokens_for(server, client, "worker")
    with browser(server, person_of(server.services, "worker")) as http:
        grant_id = re.findall(
            r"name='grant_id' value='([^']*)'", http.get("/account/clients").text
        )[0]
    with browser(server, person_of(server.services, "employer")) as http:
        csrf = re.findall(
            r"name='csrf_token' value='([^']*)'", http.get("/account/clients").text
        )
        token = csrf[0] if csrf else http.cookies.get("none", "")
        response = http.post(
            "/account/clients/revocation",
            data={"grant_id": grant_id, "csrf_token": token},
        )
    assert response.status_code in (403, 404)
    assert audit_of(server.services, "revoke_grant") == []


def test_revoking_a_refresh_token_ends_the_grant(server: LiveServer) -> None:
    client = register_people_client(server.services)
    body = tokens_for(server, client, "worker")
    with server.client() as http:
        response = http.post(
            "/oauth/revoke",
            data={"token": body["refresh_token"]},
            headers=client.auth(),
        )
    assert response.status_code == 200
    with bearer(server, body["access_token"]) as http:
        assert http.get("/workers/me").status_code == 401


def test_metadata_lists_the_authorization_code_grant(server: LiveServer) -> None:
    with server.client() as http:
        metadata = http.get("/.well-known/oauth-authorization-server").json()
    issuer = server.services.oauth.issuer
    assert metadata["authorization_endpoint"] == issuer + "/oauth/authorize"
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert "authorization_code" in metadata["grant_types_supported"]
    assert "refresh_token" in metadata["grant_types_supported"]
    assert "implicit" not in metadata["grant_types_supported"]
    assert "password" not in metadata["grant_types_supported"]
    assert "none" in metadata["token_endpoint_auth_methods_supported"]


@pytest.mark.parametrize("grant_type", ["password", "implicit"])
def test_password_and_implicit_grants_are_refused(
    server: LiveServer, grant_type: str
) -> None:
    client = register_people_client(server.services)
    with server.client() as http:
        response = http.post(
            "/oauth/token",
            data={"grant_type": grant_type, "username": "u", "password": "p"},
            headers=client.auth(),
        )
    assert_oauth_error(response, 400, "unsupported_grant_type")


def test_edited_consent_form_cannot_widen_the_grant(server: LiveServer) -> None:
    client = register_people_client(server.services)
    verifier, challenge = pkce()
    with browser(server, person_of(server.services, "worker")) as http:
        page = http.get(
            "/oauth/authorize",
            params=authorize_params(client, challenge, scope="consents:read"),
        )
        form = consent_form(page)
        form.update(
            decision="allow",
            scope="consents:read workers:read workers:erase",
            redirect_uri="https://evil.example/callback",
        )
        answer = http.post("/oauth/authorize", data=form)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith(REDIRECT_URI + "?")
        again = http.post("/oauth/authorize", data=form)
    assert again.status_code == 400, "a consent page is answered once"
    body = exchange(server, client, query_of(answer)["code"], verifier).json()
    assert body["scope"] == "consents:read"


def test_repeated_approvals_show_and_revoke_as_one(server: LiveServer) -> None:
    client = register_people_client(server.services)
    first = tokens_for(server, client, "worker")
    second = tokens_for(server, client, "worker")
    with browser(server, person_of(server.services, "worker")) as http:
        listing = http.get("/account/clients").text
        grant_ids = re.findall(r"name='grant_id' value='([^']*)'", listing)
        csrf = re.findall(r"name='csrf_token' value='([^']*)'", listing)
        assert len(grant_ids) == 1
        http.post(
            "/account/clients/revocation",
            data={"grant_id": grant_ids[0], "csrf_token": csrf[0]},
        )
    for body in (first, second):
        with bearer(server, body["access_token"]) as http:
            assert http.get("/workers/me").status_code == 401
    assert len(audit_of(server.services, "revoke_grant")) == 2


def test_authorization_requests_are_rate_limited(server: LiveServer) -> None:
    limiter = server.services.oauth.page_limiter
    assert limiter is not None
    limiter.limit = 3
    with browser(server, None) as http:
        statuses = [http.get("/oauth/authorize").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    assert len(failures(server.services, "authorize")) == 3
