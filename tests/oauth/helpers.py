"""Clients, keys, assertions and token requests for the authorization server tests."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.oauth.assertions import ASSERTION_TYPE
from ccus.oauth.clients import ClientSpec, RegisteredClient, register_client
from ccus.services import Services
from tests.conftest import FIXED_NOW, LiveServer
from tests.e2e.helpers import personas

NOW = int(FIXED_NOW.timestamp())


def new_key(algorithm: str = "ES256", kid: str = "key-1") -> Key:
    """Generate a private key that signs with ``algorithm``."""
    parameters = {"kid": kid}
    if algorithm == "EdDSA":
        return OKPKey.generate_key("Ed25519", parameters=parameters)
    if algorithm == "PS256":
        return RSAKey.generate_key(2048, parameters=parameters)
    return ECKey.generate_key("P-256", parameters=parameters)


def public_jwks(*keys: Key) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def register(
    services: Services,
    acts_as: str = "device",
    auth_method: str = "client_secret_basic",
    jwks: dict[str, Any] | None = None,
    scopes: tuple[str, ...] | None = None,
    site_id: str | None = None,
) -> tuple[RegisteredClient, str | None]:
    """Register a client; a device is bound to the demo's live site by default."""
    if acts_as == "device" and site_id is None:
        site_id = personas(services)["site_id"]
    spec = ClientSpec(
        name=f"test {acts_as}",
        acts_as=acts_as,
        site_id=site_id,
        auth_method=auth_method,
        jwks=jwks,
        scopes=scopes,
    )
    with services.session() as session:
        client, secret = register_client(session, spec, FIXED_NOW)
        session.commit()
    return client, secret


def assertion(
    key: Key,
    client_id: str,
    audience: str,
    algorithm: str = "ES256",
    **overrides: Any,
) -> str:
    """Sign a client assertion; ``overrides`` replace claims or add headers.

    Header members are passed as ``header_<name>``. A member set to None is
    left out.
    """
    header: dict[str, Any] = {"alg": algorithm, "kid": key.kid}
    claims: dict[str, Any] = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": NOW,
        "exp": NOW + 60,
        "jti": secrets.token_urlsafe(12),
    }
    for name, value in overrides.items():
        target = header if name.startswith("header_") else claims
        member = name.removeprefix("header_")
        if value is None:
            target.pop(member, None)
        else:
            target[member] = value
    return jwt.encode(header, claims, key, algorithms=[algorithm])


def unsigned_assertion(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Join a header and claims into a compact JWS with an empty signature."""
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def request_token(
    server: LiveServer,
    headers: dict[str, str] | None = None,
    **form: str,
) -> httpx.Response:
    """Post a token request; ``grant_type`` defaults to client_credentials."""
    form.setdefault("grant_type", "client_credentials")
    with server.client() as http:
        return http.post("/oauth/token", data=form, headers=headers or {})


def request_with_assertion(
    server: LiveServer, signed: str, **form: str
) -> httpx.Response:
    return request_token(
        server,
        client_assertion_type=ASSERTION_TYPE,
        client_assertion=signed,
        **form,
    )


def token_for(server: LiveServer, client_id: str, secret: str, **form: str) -> str:
    """Obtain an access token with client_secret_basic, asserting success."""
    response = request_token(server, basic_auth(client_id, secret), **form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def assert_oauth_error(
    response: httpx.Response, status: int, error: str
) -> dict[str, Any]:
    """Check an RFC 6749 section 5.2 error response and return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = dict(response.json())
    assert body["error"] == error
    assert isinstance(body.get("error_description"), str)
    assert_no_store(response)
    return body


def assert_no_store(response: httpx.Response) -> None:
    assert response.headers.get("cache-control") == "no-store"
    assert response.headers.get("pragma") == "no-cache"


def oauth_audit(services: Services) -> list[AuditEvent]:
    """Return the audit entries of the authorization server, oldest first."""
    actions = ("client_authentication", "issue_token", "revoke_token")
    with services.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.in_(actions))
                .order_by(AuditEvent.seq)
            )
        )
