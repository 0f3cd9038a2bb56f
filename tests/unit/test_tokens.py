"""Access token verification: allowed algorithms, keys, claims."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey

from ccus.auth.actors import DeviceActor, StaffActor, WorkerActor
from ccus.auth.tokens import InvalidToken, TokenService
from ccus.crypto.keyring import create_local_keyring, load_keyring

NOW = 1_790_000_000.0
WORKER = WorkerActor(subject="00000000000001", client_id="test-client")


@pytest.fixture(scope="module")
def keyring_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys")
    create_local_keyring(path)
    return path


def service(keyring_dir: Path, now: float = NOW, **overrides: str) -> TokenService:
    return TokenService(
        load_keyring(keyring_dir),
        issuer=overrides.get("issuer", "http://127.0.0.1:8000"),
        audience=overrides.get("audience", "ccus-api"),
        lifetime_seconds=600,
        clock=lambda: now,
    )


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(tokens: TokenService) -> dict[str, object]:
    token = tokens.issue(WORKER)
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def test_issue_verify_round_trips(keyring_dir: Path) -> None:
    tokens = service(keyring_dir)
    assert tokens.verify(tokens.issue(WORKER)) == WORKER


@pytest.mark.parametrize(
    "actor",
    [
        StaffActor(
            subject="s1", client_id="c", company_id="10000000000001", roles=("clerk",)
        ),
        DeviceActor(subject="d1", client_id="d1", site_id="20000000000001"),
    ],
)
def test_actor_kinds_round_trip(keyring_dir: Path, actor: object) -> None:
    tokens = service(keyring_dir)
    assert tokens.verify(tokens.issue(actor)) == actor  # type: ignore[arg-type]


def test_alg_none_rejected(keyring_dir: Path) -> None:
    tokens = service(keyring_dir)
    kid = load_keyring(keyring_dir).signing_key()[0]
    header = b64(json.dumps({"alg": "none", "kid": kid, "typ": "at+jwt"}).encode())
    payload = b64(json.dumps(claims_of(tokens)).encode())
    with pytest.raises(InvalidToken, match="algorithm"):
        tokens.verify(f"{header}.{payload}.")


def test_hs256_with_public_key_rejected(keyring_dir: Path) -> None:
    tokens = service(keyring_dir)
    kid, private = load_keyring(keyring_dir).signing_key()
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "at+jwt"}).encode())
    payload = b64(json.dumps(claims_of(tokens)).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256)
    with pytest.raises(InvalidToken, match="algorithm"):
        tokens.verify(f"{header}.{payload}.{b64(signature.digest())}")


def test_unknown_kid_rejected(keyring_dir: Path) -> None:
    tokens = service(keyring_dir)
    other = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    header = {"alg": "ES256", "kid": "someone-else", "typ": "at+jwt"}
    token = jwt.encode(header, claims_of(tokens), other, algorithms=["ES256"])
    with pytest.raises(InvalidToken, match="key id"):
        tokens.verify(token)


def test_foreign_key_with_our_kid_rejected(keyring_dir: Path) -> None:
    tokens = service(keyring_dir)
    kid = load_keyring(keyring_dir).signing_key()[0]
    other = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    header = {"alg": "ES256", "kid": kid, "typ": "at+jwt"}
    token = jwt.encode(header, claims_of(tokens), other, algorithms=["ES256"])
    with pytest.raises(InvalidToken, match="signature"):
        tokens.verify(token)


@pytest.mark.parametrize("name", ["jku", "jwk", "x5u"])
def test_key_source_headers_rejected(keyring_dir: Path, name: str) -> None:
    tokens = service(keyring_dir)
    kid, private = load_keyring(keyring_dir).signing_key()
    attacker = ECKey.import_key(ec.generate_private_key(ec.SECP256R1()))
    source = (
        attacker.as_dict(private=False) if name == "jwk" else "https://evil.example/k"
    )
    header = {"alg": "ES256", "kid": kid, "typ": "at+jwt", name: source}
    token = jwt.encode(
        header, claims_of(tokens), ECKey.import_key(private), algorithms=["ES256"]
    )
    with pytest.raises(InvalidToken, match="key source"):
        tokens.verify(token)


def test_expired_token_rejected(keyring_dir: Path) -> None:
    token = service(keyring_dir, now=NOW - 700).issue(WORKER)
    with pytest.raises(InvalidToken, match="expired"):
        service(keyring_dir).verify(token)


def test_wrong_audience_rejected(keyring_dir: Path) -> None:
    token = service(keyring_dir, audience="another-api").issue(WORKER)
    with pytest.raises(InvalidToken, match="aud"):
        service(keyring_dir).verify(token)


def test_wrong_issuer_rejected(keyring_dir: Path) -> None:
    token = service(keyring_dir, issuer="https://evil.example").issue(WORKER)
    with pytest.raises(InvalidToken, match="iss"):
        service(keyring_dir).verify(token)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "é.é.é", "x" * 5000])
def test_garbage_rejected(keyring_dir: Path, garbage: str) -> None:
    with pytest.raises(InvalidToken):
        service(keyring_dir).verify(garbage)
