"""Forged and stale bearer tokens get 401 on the API and an audit entry each."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def genuine_claims(server: LiveServer) -> dict[str, Any]:
    token = server.services.tokens.issue(actor_of(server.services, "worker"))
    return dict(json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==")))


def our_key(server: LiveServer) -> tuple[str, ECKey]:
    kid, private = server.services.keyring.signing_key()
    return kid, ECKey.import_key(private)


def signed(server: LiveServer, header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Sign with the service's own key, as a leaked or replayed token would be."""
    kid, key = our_key(server)
    return jwt.encode({"kid": kid, "typ": "at+jwt", **header}, claims, key)


def alg_none(server: LiveServer) -> str:
    kid, _ = our_key(server)
    header = b64(json.dumps({"alg": "none", "kid": kid, "typ": "at+jwt"}).encode())
    return f"{header}.{b64(json.dumps(genuine_claims(server)).encode())}."


def hs256_with_public_key(server: LiveServer) -> str:
    kid, private = server.services.keyring.signing_key()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "at+jwt"}).encode())
    payload = b64(json.dumps(genuine_claims(server)).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{b64(mac.digest())}"


def unknown_kid(server: LiveServer) -> str:
    other = ECKey.generate_key("P-256")
    header = {"alg": "ES256", "kid": "someone-else", "typ": "at+jwt"}
    return jwt.encode(header, genuine_claims(server), other)


def jku_header(server: LiveServer) -> str:
    return signed(
        server,
        {"alg": "ES256", "jku": "https://evil.example/keys"},
        genuine_claims(server),
    )


def jwk_header(server: LiveServer) -> str:
    attacker = ECKey.generate_key("P-256").as_dict(private=False)
    return signed(server, {"alg": "ES256", "jwk": attacker}, genuine_claims(server))


def with_claims(**changes: Any) -> Callable[[LiveServer], str]:
    def forge(server: LiveServer) -> str:
        claims = {**genuine_claims(server), **changes}
        return signed(server, {"alg": "ES256"}, claims)

    return forge


def expired(server: LiveServer) -> str:
    claims = genuine_claims(server)
    claims["iat"] -= 3600
    claims["exp"] = claims["iat"] + 600
    return signed(server, {"alg": "ES256"}, claims)


ATTACKS: dict[str, tuple[Callable[[LiveServer], str], str]] = {
    "alg none": (alg_none, "algorithm"),
    "HS256 with public key": (hs256_with_public_key, "algorithm"),
    "unknown kid": (unknown_kid, "unknown_kid"),
    "jku header": (jku_header, "key_source"),
    "jwk header": (jwk_header, "key_source"),
    "wrong iss": (with_claims(iss="https://evil.example"), "issuer"),
    "wrong aud": (with_claims(aud="another-api"), "audience"),
    "expired": (expired, "expired"),
}


def rejections(server: LiveServer) -> list[AuditEvent]:
    with server.services.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "authenticate")
                .order_by(AuditEvent.seq)
            )
        )


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_forged_token_is_rejected_and_audited(server: LiveServer, attack: str) -> None:
    forge, reason = ATTACKS[attack]
    token = forge(server)
    with server.client() as http:
        response = http.get("/workers/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401)
    entries = rejections(server)
    assert len(entries) == 1
    assert entries[0].decision == "deny"
    assert entries[0].actor_kind == "client"
    assert entries[0].worker_id is None
    assert entries[0].basis == [{"kind": "failure", "ref": reason}]


def test_genuine_token_writes_no_rejection(server: LiveServer) -> None:
    token = signed(server, {"alg": "ES256"}, genuine_claims(server))
    with server.client() as http:
        response = http.get("/workers/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert rejections(server) == []
