"""Audit entries of client authentication, token issue and revocation."""

from __future__ import annotations

from typing import Any

from ccus.audit.models import AuditEvent
from tests.conftest import LiveServer
from tests.oauth.helpers import (
    assertion,
    basic_auth,
    new_key,
    oauth_audit,
    public_jwks,
    register,
    request_token,
    request_with_assertion,
    token_for,
)


def basis_of(entry: AuditEvent) -> dict[str, Any]:
    return {item["kind"]: item["ref"] for item in entry.basis}


def test_issue_is_audited(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    jti = server.services.tokens.verify_token(token).jti
    authentication, issue = oauth_audit(server.services)
    assert authentication.action == "client_authentication"
    assert authentication.decision == "allow"
    assert basis_of(authentication) == {
        "method": "client_secret_basic",
        "endpoint": "token",
    }
    assert issue.action == "issue_token"
    assert issue.decision == "allow"
    assert issue.resource == "access_token"
    assert basis_of(issue) == {
        "grant_type": "client_credentials",
        "acts_as": "device",
        "scope": "touches:write",
        "token": jti,
    }
    for entry in (authentication, issue):
        assert entry.actor_kind == "client"
        assert entry.actor_id == client.client_id
        assert entry.client_id == client.client_id
        assert entry.actor_company_id is None
        assert entry.worker_id is None
        assert entry.site_id == client.site_id
        assert entry.request_id


def test_each_failure_is_audited(server: LiveServer) -> None:
    client, secret = register(server.services)
    key = new_key()
    jwt_client, _ = register(
        server.services, auth_method="private_key_jwt", jwks=public_jwks(key)
    )
    audience = server.services.oauth.token_endpoint

    request_token(server, basic_auth(client.client_id, "wrong"))
    request_token(server, basic_auth("never-registered-1234", "wrong"))
    request_token(server)
    replayed = assertion(key, jwt_client.client_id, audience)
    request_with_assertion(server, replayed)
    request_with_assertion(server, replayed)

    entries = [
        entry
        for entry in oauth_audit(server.services)
        if entry.action == "client_authentication"
    ]
    outcomes = [
        (entry.decision, entry.actor_id, basis_of(entry).get("failure"))
        for entry in entries
    ]
    assert outcomes == [
        ("deny", client.client_id, "wrong_secret"),
        ("deny", "unknown", "unknown_client"),
        ("deny", "unknown", "no_credentials"),
        ("allow", jwt_client.client_id, None),
        ("deny", jwt_client.client_id, "replayed_jti"),
    ]
    for entry in entries:
        assert entry.worker_id is None
        assert entry.actor_kind == "client"


def test_rejected_scope_is_audited(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    request_token(server, basic_auth(client.client_id, secret), scope="audit:read")
    authentication, rejection = oauth_audit(server.services)
    assert authentication.decision == "allow"
    assert rejection.action == "issue_token"
    assert rejection.decision == "deny"
    assert basis_of(rejection)["failure"] == "invalid_scope"


def test_revocation_is_audited(server: LiveServer) -> None:
    client, secret = register(server.services, acts_as="regulator")
    assert secret is not None
    token = token_for(server, client.client_id, secret)
    jti = server.services.tokens.verify_token(token).jti
    with server.client() as http:
        http.post(
            "/oauth/revoke",
            data={"token": token},
            headers=basic_auth(client.client_id, secret),
        )
    entries = oauth_audit(server.services)
    assert [entry.action for entry in entries] == [
        "client_authentication",
        "issue_token",
        "client_authentication",
        "revoke_token",
    ]
    revocation = entries[-1]
    assert revocation.decision == "allow"
    assert revocation.actor_id == client.client_id
    assert basis_of(revocation) == {"token": jti}
    assert basis_of(entries[2])["endpoint"] == "revocation"


def test_audit_chain_stays_valid(server: LiveServer) -> None:
    from ccus.audit.verify import verify_chain

    client, secret = register(server.services)
    assert secret is not None
    token_for(server, client.client_id, secret)
    request_token(server, basic_auth(client.client_id, "wrong"))
    with server.services.session() as session:
        result = verify_chain(session, server.services.keyring.audit_public_keys())
    assert result.problem is None
