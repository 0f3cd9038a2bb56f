"""The token endpoint: client authentication, grant types, scopes, headers."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

from ccus.auth.actors import DeviceActor, RegulatorActor
from ccus.oauth.clients import RegisteredClient, disable_client
from ccus.oauth.server import ACCESS_TOKEN_LIFETIME_SECONDS
from tests.conftest import LiveServer
from tests.oauth.helpers import (
    NOW,
    assert_no_store,
    assert_oauth_error,
    assertion,
    b64,
    basic_auth,
    new_key,
    public_jwks,
    register,
    request_token,
    request_with_assertion,
    unsigned_assertion,
)


@pytest.fixture
def key() -> Any:
    return new_key("ES256")


@pytest.fixture
def jwt_client(server: LiveServer, key: Any) -> RegisteredClient:
    client, secret = register(
        server.services, auth_method="private_key_jwt", jwks=public_jwks(key)
    )
    assert secret is None
    return client


def audience(server: LiveServer) -> str:
    return server.services.oauth.token_endpoint


def test_secret_basic_issues_device_token(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    response = request_token(server, basic_auth(client.client_id, secret))
    assert response.status_code == 200, response.text
    assert_no_store(response)
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == ACCESS_TOKEN_LIFETIME_SECONDS
    assert body["scope"] == "touches:write"
    assert "refresh_token" not in body
    verified = server.services.tokens.verify_token(body["access_token"])
    assert verified.actor == DeviceActor(
        subject=client.client_id,
        client_id=client.client_id,
        scopes=frozenset({"touches:write"}),
        site_id=str(client.site_id),
    )
    assert verified.claims["aud"] == server.services.settings.audience
    assert verified.claims["exp"] - verified.claims["iat"] == 600


@pytest.mark.parametrize(
    "algorithm",
    [
        "ES256",
        pytest.param(
            "EdDSA",
            marks=pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning"),
        ),
        "PS256",
    ],
)
def test_private_key_jwt_issues_regulator_token(
    server: LiveServer, algorithm: str
) -> None:
    key = new_key(algorithm)
    client, _ = register(
        server.services,
        acts_as="regulator",
        auth_method="private_key_jwt",
        jwks=public_jwks(key),
    )
    signed = assertion(key, client.client_id, audience(server), algorithm)
    response = request_with_assertion(server, signed)
    assert response.status_code == 200, response.text
    actor = server.services.tokens.verify(response.json()["access_token"])
    assert actor == RegulatorActor(
        subject=client.client_id,
        client_id=client.client_id,
        scopes=frozenset({"audit:read"}),
    )


def test_private_key_jwt_accepts_issuer_audience(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(key, jwt_client.client_id, server.services.oauth.issuer)
    assert request_with_assertion(server, signed).status_code == 200


def test_wrong_secret_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    response = request_token(server, basic_auth(client.client_id, f"{secret}x"))
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["www-authenticate"].startswith("Basic ")


def test_unknown_client_rejected(server: LiveServer) -> None:
    response = request_token(server, basic_auth("no-such-client", "secret"))
    assert_oauth_error(response, 401, "invalid_client")


def test_disabled_client_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    with server.services.session() as session:
        disable_client(session, client.client_id, server.services.clock())
        session.commit()
    response = request_token(server, basic_auth(client.client_id, secret))
    assert_oauth_error(response, 401, "invalid_client")


def test_missing_authentication_rejected(server: LiveServer) -> None:
    assert_oauth_error(request_token(server), 401, "invalid_client")


def test_secret_post_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    response = request_token(server, client_id=client.client_id, client_secret=secret)
    body = assert_oauth_error(response, 401, "invalid_client")
    assert "client_secret_post" in body["error_description"]


def test_basic_client_cannot_use_assertion(server: LiveServer, key: Any) -> None:
    client, _ = register(server.services)
    signed = assertion(key, client.client_id, audience(server))
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "client_secret_basic" in body["error_description"]


def test_two_methods_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(key, jwt_client.client_id, audience(server))
    response = request_token(
        server,
        basic_auth(jwt_client.client_id, "secret"),
        client_assertion_type="urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion=signed,
    )
    assert_oauth_error(response, 400, "invalid_request")


def test_alg_none_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    claims = claims_for(jwt_client.client_id, audience(server))
    signed = unsigned_assertion({"alg": "none", "kid": key.kid}, claims)
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "algorithm" in body["error_description"]


def test_hs256_with_public_key_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    # The classic confusion attack: the public key used as an HMAC secret.
    public = json.dumps(key.as_dict(private=False)).encode()
    header = b64(json.dumps({"alg": "HS256", "kid": key.kid}).encode())
    claims = claims_for(jwt_client.client_id, audience(server))
    payload = b64(json.dumps(claims).encode())
    signature = hmac.new(public, f"{header}.{payload}".encode(), hashlib.sha256)
    signed = f"{header}.{payload}.{b64(signature.digest())}"
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "algorithm" in body["error_description"]


def test_unknown_kid_rejected(server: LiveServer, jwt_client: RegisteredClient) -> None:
    stranger = new_key("ES256", kid="someone-else")
    signed = assertion(stranger, jwt_client.client_id, audience(server))
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "kid" in body["error_description"]


def test_foreign_key_with_known_kid_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    forger = new_key("ES256", kid=key.kid)
    signed = assertion(forger, jwt_client.client_id, audience(server))
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "signature" in body["error_description"]


@pytest.mark.parametrize("name", ["jku", "jwk", "x5u"])
def test_key_source_header_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient, name: str
) -> None:
    attacker = ECKey.generate_key("P-256")
    source = (
        attacker.as_dict(private=False) if name == "jwk" else "https://evil.example/k"
    )
    signed = assertion(
        key, jwt_client.client_id, audience(server), **{f"header_{name}": source}
    )
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert name in body["error_description"]


def test_wrong_issuer_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(key, jwt_client.client_id, audience(server), iss="other")
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "iss" in body["error_description"]


@pytest.mark.parametrize(
    "aud",
    ["https://elsewhere.example/oauth/token", "http://127.0.0.1:8000/oauth/revoke"],
)
def test_wrong_audience_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient, aud: str
) -> None:
    signed = assertion(key, jwt_client.client_id, aud)
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "aud" in body["error_description"]


def test_expired_assertion_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(
        key, jwt_client.client_id, audience(server), iat=NOW - 600, exp=NOW - 120
    )
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "expired" in body["error_description"]


def test_far_expiry_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(key, jwt_client.client_id, audience(server), exp=NOW + 3600)
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "exp" in body["error_description"]


def test_missing_jti_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(key, jwt_client.client_id, audience(server), jti=None)
    assert_oauth_error(request_with_assertion(server, signed), 401, "invalid_client")


def test_replayed_jti_rejected(
    server: LiveServer, key: Any, jwt_client: RegisteredClient
) -> None:
    signed = assertion(key, jwt_client.client_id, audience(server))
    assert request_with_assertion(server, signed).status_code == 200
    body = assert_oauth_error(
        request_with_assertion(server, signed), 401, "invalid_client"
    )
    assert "jti" in body["error_description"]
    # The same jti in a newly signed assertion is a replay too.
    jti = jwt.decode(signed, key).claims["jti"]
    again = assertion(key, jwt_client.client_id, audience(server), jti=jti)
    assert_oauth_error(request_with_assertion(server, again), 401, "invalid_client")


def test_kid_needed_with_several_keys(server: LiveServer) -> None:
    first, second = new_key("ES256", "first"), new_key("ES256", "second")
    client, _ = register(
        server.services,
        auth_method="private_key_jwt",
        jwks=public_jwks(first, second),
    )
    no_kid = assertion(second, client.client_id, audience(server), header_kid=None)
    body = assert_oauth_error(
        request_with_assertion(server, no_kid), 401, "invalid_client"
    )
    assert "kid" in body["error_description"]
    named = assertion(second, client.client_id, audience(server))
    assert request_with_assertion(server, named).status_code == 200


@pytest.mark.parametrize("grant_type", ["password", "implicit", "urn:example:unknown"])
def test_unsupported_grant_types(server: LiveServer, grant_type: str) -> None:
    client, secret = register(server.services)
    assert secret is not None
    response = request_token(
        server,
        basic_auth(client.client_id, secret),
        grant_type=grant_type,
        username="someone",
        password="guess",
    )
    body = assert_oauth_error(response, 400, "unsupported_grant_type")
    assert grant_type not in body["error_description"]


def test_implicit_response_type_rejected(server: LiveServer) -> None:
    client, _ = register(server.services)
    with server.client() as http:
        response = http.post(
            "/oauth/token",
            data={"response_type": "token", "client_id": client.client_id},
        )
        assert_oauth_error(response, 400, "unsupported_grant_type")
        authorize = http.get(
            "/oauth/authorize",
            params={"response_type": "token", "client_id": client.client_id},
        )
    # A machine client has no redirect URI, so the refusal is a page.
    assert authorize.status_code == 400
    assert "location" not in authorize.headers


def test_missing_grant_type_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    response = request_token(
        server, basic_auth(client.client_id, secret), grant_type=""
    )
    assert_oauth_error(response, 400, "invalid_request")


def test_scope_wider_than_allowed_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    for scope in ("audit:read", "touches:write audit:read", "admin"):
        response = request_token(
            server, basic_auth(client.client_id, secret), scope=scope
        )
        body = assert_oauth_error(response, 400, "invalid_scope")
        assert "touches:write" in body["error_description"]


def test_scope_narrowed_to_request(server: LiveServer) -> None:
    client, secret = register(server.services, scopes=())
    assert secret is not None
    response = request_token(server, basic_auth(client.client_id, secret))
    assert response.status_code == 200, response.text
    assert response.json()["scope"] == ""
    response = request_token(
        server, basic_auth(client.client_id, secret), scope="touches:write"
    )
    assert_oauth_error(response, 400, "invalid_scope")
    allowed, allowed_secret = register(server.services)
    assert allowed_secret is not None
    response = request_token(
        server, basic_auth(allowed.client_id, allowed_secret), scope="touches:write"
    )
    assert response.json()["scope"] == "touches:write"


def test_malformed_scope_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    response = request_token(
        server, basic_auth(client.client_id, secret), scope="touches:write  "
    )
    assert_oauth_error(response, 400, "invalid_scope")


def test_repeated_parameter_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    with server.client() as http:
        response = http.post(
            "/oauth/token",
            content=b"grant_type=client_credentials&grant_type=client_credentials",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                **basic_auth(client.client_id, secret),
            },
        )
    body = assert_oauth_error(response, 400, "invalid_request")
    assert "grant_type is repeated" in body["error_description"]


def test_json_body_rejected(server: LiveServer) -> None:
    client, secret = register(server.services)
    assert secret is not None
    with server.client() as http:
        response = http.post(
            "/oauth/token",
            json={"grant_type": "client_credentials"},
            headers=basic_auth(client.client_id, secret),
        )
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("path", ["/oauth/token", "/oauth/revoke", "/oauth/introspect"])
def test_no_store_on_every_response(server: LiveServer, path: str) -> None:
    client, secret = register(server.services)
    assert secret is not None
    with server.client() as http:
        responses = [
            http.post(path, data={"grant_type": "client_credentials", "token": "x"}),
            http.post(
                path,
                data={"grant_type": "client_credentials", "token": "x"},
                headers=basic_auth(client.client_id, secret),
            ),
            http.post(path, content=b"not a form"),
            http.get(path),
            http.delete(path),
        ]
    statuses = [response.status_code for response in responses]
    assert statuses == [401, 200, 400, 405, 405]
    for response in responses:
        assert_no_store(response)


def claims_for(client_id: str, aud: str) -> dict[str, Any]:
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": aud,
        "iat": NOW,
        "exp": NOW + 60,
        "jti": f"jti-{client_id}-{NOW}",
    }


def test_token_requests_are_rate_limited_per_client(server: LiveServer) -> None:
    limiter = server.services.oauth.rate_limiter
    assert limiter is not None
    limiter.limit = 2
    client, secret = register(server.services)
    other, other_secret = register(server.services)
    assert secret is not None and other_secret is not None
    statuses = [
        request_token(server, basic_auth(client.client_id, secret)).status_code
        for _ in range(3)
    ]
    limited = request_token(server, basic_auth(client.client_id, secret))
    assert statuses == [200, 200, 429]
    body = assert_oauth_error(limited, 429, "temporarily_unavailable")
    assert "retry after" in body["error_description"]
    assert int(limited.headers["retry-after"]) >= 1
    fresh = request_token(server, basic_auth(other.client_id, other_secret))
    assert fresh.status_code == 200, "another client has its own count"
