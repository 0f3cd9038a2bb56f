"""The OpenID provider of provider.mjs, driven by hand and by openid-client.

These tests check that the provider is set up like the national ID provider
(code flow, PKCE S256, private_key_jwt with ES256, ES256 ID tokens, pairwise
subjects, iss in the authorization response), so that relying-party tests
can trust it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from tests.interop.harness import (
    HarnessError,
    OpenIDClient,
    OpenIDClientError,
    OpenIDProvider,
    follow_redirects,
)

CLIENT_ID = "ccus-login"
# The tests stop at the redirect to this URI and read its query, so nothing
# needs to listen there.
REDIRECT_URI = "http://127.0.0.1/login/callback"
SCOPE = "openid profile address"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Fictional people.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "card-holder-1": {
        "name": "建設 太郎",
        "birthdate": "1985-04-01",
        "gender": "male",
        "address": {
            "formatted": "東京都千代田区霞が関一丁目1番1号",
            "postal_code": "1000013",
        },
    },
    "card-holder-2": {
        "name": "足場 花子",
        "birthdate": "1992-11-23",
        "gender": "female",
        "address": {
            "formatted": "大阪府大阪市中央区大手前二丁目1番22号",
            "postal_code": "5408570",
        },
    },
}
PAIRWISE_SALT = "test-salt"

StartProvider = Callable[[dict[str, Any]], OpenIDProvider]


@pytest.fixture
def rp_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": "rp-key-1"})


@pytest.fixture
def provider(start_provider: StartProvider, rp_key: ECKey) -> OpenIDProvider:
    return start_provider(provider_config(rp_key))


def provider_config(rp_key: ECKey) -> dict[str, Any]:
    return {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "redirect_uris": [REDIRECT_URI],
                "jwks": {"keys": [rp_key.as_dict(private=False)]},
            }
        ],
        "accounts": ACCOUNTS,
        "pairwise_salt": PAIRWISE_SALT,
    }


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def expected_subject(account_id: str) -> str:
    """Compute the pairwise sub that provider.mjs documents for the loopback sector."""
    material = f"127.0.0.1\0{account_id}\0{PAIRWISE_SALT}".encode()
    digest = hashlib.sha256(material).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_callback(location: str) -> bool:
    return location.split("?", 1)[0] == REDIRECT_URI


def callback_query(location: str) -> dict[str, str]:
    query = parse_qs(urlsplit(location).query)
    return {name: values[0] for name, values in query.items()}


def authorize(
    http: httpx.Client, provider: OpenIDProvider, **overrides: str | None
) -> dict[str, str]:
    """Send an authorization request and return the callback's query parameters.

    ``overrides`` replace request parameters, and a None value leaves one out.
    """
    metadata = provider.metadata()
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        **overrides,
    }
    sent = {name: value for name, value in params.items() if value is not None}
    url = str(httpx.URL(metadata["authorization_endpoint"], params=sent))
    return callback_query(follow_redirects(http, url, is_callback))


def client_assertion(key: ECKey, audience: str) -> str:
    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": secrets.token_urlsafe(16),
    }
    header = {"alg": "ES256", "kid": key.kid}
    return jwt.encode(header, claims, key, algorithms=["ES256"])


def redeem_code(
    provider: OpenIDProvider, key: ECKey, code: str, verifier: str
) -> httpx.Response:
    metadata = provider.metadata()
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(key, provider.issuer),
    }
    with provider.http() as http:
        return http.post(metadata["token_endpoint"], data=form)


def verified_id_token(provider: OpenIDProvider, id_token: str) -> jwt.Token:
    """Verify the ID token's ES256 signature with the provider's JWKS."""
    with provider.http() as http:
        jwks = http.get(provider.metadata()["jwks_uri"]).json()
    return jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["ES256"])


def log_in(
    provider: OpenIDProvider, key: ECKey, http: httpx.Client
) -> tuple[jwt.Token, str]:
    """Run the code flow for the chosen account and return its ID token and nonce."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    nonce = secrets.token_urlsafe(16)
    query = authorize(
        http,
        provider,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert query["state"] == state
    assert query["iss"] == provider.issuer
    response = redeem_code(provider, key, query["code"], verifier)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"].lower() == "bearer"
    assert "refresh_token" not in body
    return verified_id_token(provider, body["id_token"]), nonce


def test_discovery_matches_national_profile(provider: OpenIDProvider) -> None:
    metadata = provider.metadata()
    assert metadata["issuer"] == provider.issuer
    assert metadata["response_types_supported"] == ["code"]
    assert metadata["grant_types_supported"] == ["authorization_code"]
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert metadata["token_endpoint_auth_signing_alg_values_supported"] == ["ES256"]
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["subject_types_supported"] == ["pairwise"]
    assert metadata["scopes_supported"] == ["openid", "profile", "address"]
    for claim in ("sub", "name", "birthdate", "gender", "address"):
        assert claim in metadata["claims_supported"]
    assert "pushed_authorization_request_endpoint" not in metadata
    assert "dpop_signing_alg_values_supported" not in metadata


def test_code_flow_returns_account_claims(
    provider: OpenIDProvider, rp_key: ECKey
) -> None:
    provider.set_next_login("card-holder-1")
    with provider.http() as http:
        token, nonce = log_in(provider, rp_key, http)
    assert token.header["alg"] == "ES256"
    claims = token.claims
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == CLIENT_ID
    assert claims["nonce"] == nonce
    assert claims["sub"] == expected_subject("card-holder-1")
    assert claims["sub"] != "card-holder-1"
    account = ACCOUNTS["card-holder-1"]
    assert claims["name"] == account["name"]
    assert claims["birthdate"] == account["birthdate"]
    assert claims["gender"] == account["gender"]
    assert claims["address"] == account["address"]
    assert claims["exp"] > time.time()


def test_next_login_switches_account(provider: OpenIDProvider, rp_key: ECKey) -> None:
    """One browser logs in twice, and each login takes the account chosen last."""
    with provider.http() as http:
        provider.set_next_login("card-holder-1")
        first, _ = log_in(provider, rp_key, http)
        provider.set_next_login("card-holder-2")
        second, _ = log_in(provider, rp_key, http)
    assert first.claims["sub"] == expected_subject("card-holder-1")
    assert second.claims["sub"] == expected_subject("card-holder-2")
    assert second.claims["name"] == ACCOUNTS["card-holder-2"]["name"]


def test_scope_limits_claims(provider: OpenIDProvider, rp_key: ECKey) -> None:
    provider.set_next_login("card-holder-1")
    verifier, challenge = pkce_pair()
    with provider.http() as http:
        query = authorize(
            http,
            provider,
            scope="openid profile",
            code_challenge=challenge,
            code_challenge_method="S256",
        )
    response = redeem_code(provider, rp_key, query["code"], verifier)
    assert response.status_code == 200, response.text
    claims = verified_id_token(provider, response.json()["id_token"]).claims
    assert claims["name"] == ACCOUNTS["card-holder-1"]["name"]
    assert "address" not in claims


@pytest.mark.parametrize(
    ("challenge", "method"),
    [(None, None), ("x" * 43, "plain"), ("x" * 43, None)],
    ids=["no_challenge", "plain", "method_missing"],
)
def test_pkce_s256_required(
    provider: OpenIDProvider, challenge: str | None, method: str | None
) -> None:
    provider.set_next_login("card-holder-1")
    with provider.http() as http:
        query = authorize(
            http, provider, code_challenge=challenge, code_challenge_method=method
        )
    assert query["error"] == "invalid_request"
    assert query["iss"] == provider.issuer
    assert "code" not in query


def test_wrong_code_verifier_rejected(provider: OpenIDProvider, rp_key: ECKey) -> None:
    provider.set_next_login("card-holder-1")
    _, challenge = pkce_pair()
    with provider.http() as http:
        query = authorize(
            http, provider, code_challenge=challenge, code_challenge_method="S256"
        )
    other_verifier, _ = pkce_pair()
    response = redeem_code(provider, rp_key, query["code"], other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_unregistered_key_rejected(provider: OpenIDProvider) -> None:
    provider.set_next_login("card-holder-1")
    verifier, challenge = pkce_pair()
    with provider.http() as http:
        query = authorize(
            http, provider, code_challenge=challenge, code_challenge_method="S256"
        )
    stranger = ECKey.generate_key("P-256", parameters={"kid": "rp-key-1"})
    response = redeem_code(provider, stranger, query["code"], verifier)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_login_error_reaches_relying_party(provider: OpenIDProvider) -> None:
    provider.set_next_login_error("access_denied", "the card holder cancelled")
    _, challenge = pkce_pair()
    with provider.http() as http:
        query = authorize(
            http,
            provider,
            state="state-1",
            code_challenge=challenge,
            code_challenge_method="S256",
        )
    assert query["error"] == "access_denied"
    assert query["error_description"] == "the card holder cancelled"
    assert query["state"] == "state-1"
    assert query["iss"] == provider.issuer


def test_no_login_chosen_is_reported(provider: OpenIDProvider) -> None:
    _, challenge = pkce_pair()
    with provider.http() as http, pytest.raises(HarnessError) as failure:
        authorize(
            http, provider, code_challenge=challenge, code_challenge_method="S256"
        )
    assert "409" in str(failure.value)
    assert "/__test/next-login" in str(failure.value)


def test_unknown_account_rejected(provider: OpenIDProvider) -> None:
    with pytest.raises(HarnessError) as failure:
        provider.set_next_login("nobody")
    assert "card-holder-1" in str(failure.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda config: config.pop("accounts"), "accounts is missing"),
        (
            lambda config: config["accounts"]["card-holder-1"].update(
                birthdate="1 April 1985"
            ),
            "birthdate is not a YYYY-MM-DD date",
        ),
        (
            lambda config: config["clients"][0]["jwks"]["keys"][0].update(d="AAAA"),
            "contains a private key",
        ),
        (
            lambda config: config["clients"][0].update(client_secret="s"),
            "unknown member",
        ),
    ],
    ids=["no_accounts", "bad_birthdate", "private_jwks", "unknown_member"],
)
def test_bad_config_stops_provider(
    node: str, rp_key: ECKey, change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    config = provider_config(rp_key)
    config["accounts"] = {key: dict(value) for key, value in ACCOUNTS.items()}
    change(config)
    with pytest.raises(HarnessError) as failure:
        OpenIDProvider(config)
    assert "exited with code 2" in str(failure.value)
    assert message in str(failure.value)


def test_openid_client_completes_code_flow(
    provider: OpenIDProvider, rp_key: ECKey, openid_client: OpenIDClient
) -> None:
    """openid-client as the relying party: discovery, PKCE, iss check, userinfo."""
    openid_client.call(
        "discover",
        issuer=provider.issuer,
        algorithm="oidc",
        client_id=CLIENT_ID,
        client_auth="private_key_jwt",
        private_jwk=rp_key.as_dict(private=True),
    )
    request = openid_client.call(
        "authorization_url", redirect_uri=REDIRECT_URI, scope=SCOPE, nonce=True
    )
    assert "code_challenge_method=S256" in request["url"]

    provider.set_next_login("card-holder-2")
    with provider.http() as http:
        callback = follow_redirects(http, request["url"], is_callback)
    result = openid_client.call(
        "authorization_code",
        callback_url=callback,
        code_verifier=request["code_verifier"],
        state=request["state"],
        nonce=request["nonce"],
        id_token_expected=True,
    )
    claims = result["id_token_claims"]
    assert claims["sub"] == expected_subject("card-holder-2")
    assert claims["birthdate"] == ACCOUNTS["card-holder-2"]["birthdate"]

    userinfo = openid_client.call(
        "userinfo",
        access_token=result["token"]["access_token"],
        expected_subject=claims["sub"],
    )
    assert userinfo["address"] == ACCOUNTS["card-holder-2"]["address"]


def test_openid_client_checks_iss(
    provider: OpenIDProvider, rp_key: ECKey, openid_client: OpenIDClient
) -> None:
    """A callback whose iss names another issuer fails before the token request."""
    openid_client.call(
        "discover",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_auth="private_key_jwt",
        private_jwk=rp_key.as_dict(private=True),
    )
    request = openid_client.call(
        "authorization_url", redirect_uri=REDIRECT_URI, scope=SCOPE
    )

    provider.set_next_login("card-holder-1")
    with provider.http() as http:
        callback = follow_redirects(http, request["url"], is_callback)

    forged = str(
        httpx.URL(callback).copy_set_param("iss", "http://127.0.0.1:1/attacker")
    )
    with pytest.raises(OpenIDClientError) as failure:
        openid_client.call(
            "authorization_code",
            callback_url=forged,
            code_verifier=request["code_verifier"],
            state=request["state"],
        )
    assert failure.value.code == "OAUTH_INVALID_RESPONSE"
    assert failure.value.detail is not None
    assert "iss" in failure.value.detail

    result = openid_client.call(
        "authorization_code",
        callback_url=callback,
        code_verifier=request["code_verifier"],
        state=request["state"],
    )
    assert result["id_token_claims"]["sub"] == expected_subject("card-holder-1")
