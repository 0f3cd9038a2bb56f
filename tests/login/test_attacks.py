"""Attacks on the callback and the ID token, each refused with an audit entry.

The provider is ``StubProvider``, which sends whatever ID token a test forges.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import ECKey

from ccus.login.provider import ProviderDirectory
from ccus.login.sessions import COOKIE_NAME
from tests.login.browser import Browser, location, query
from tests.login.conftest import StubWorld, as_request, last_login_event
from tests.login.stub_provider import (
    KID,
    NOW,
    StubProvider,
    hmac_signed,
    sign,
    unsigned,
)


@pytest.fixture
def browser() -> Iterator[Browser]:
    profile = Browser()
    yield profile
    profile.close()


def callback_url(world: StubWorld, browser: Browser) -> str:
    """Start a login and return the callback URL the provider sends back."""
    redirect = browser.follow(
        browser.get(world.base_url + "/login"),
        stop=lambda url: url.startswith(world.base_url + "/login/callback"),
    )
    assert redirect.is_redirect
    return location(redirect)


def finish(world: StubWorld, browser: Browser) -> httpx.Response:
    """Run a whole login in ``browser`` and return the callback's response."""
    return browser.get(callback_url(world, browser))


def assert_refused(
    world: StubWorld, browser: Browser, response: httpx.Response, reason: str
) -> None:
    """Check the refusal page, the audit entry, and that the browser is logged out."""
    assert 400 <= response.status_code < 600, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "Login refused" in response.text
    event = last_login_event(world.services)
    assert event.decision == "deny"
    assert event.basis == [{"kind": "failure", "ref": reason}]
    assert event.actor_id == "anonymous"
    assert event.worker_id is None
    assert world.services.browser_sessions.person(as_request(browser.cookies)) is None


def forge_claims(**changes: Any) -> Any:
    """Return a forge that signs validly but changes claims (None drops one)."""

    def forge(claims: dict[str, Any], key: ECKey) -> str:
        for name, value in changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return sign({"alg": "ES256", "kid": KID}, claims, key)

    return forge


def test_valid_login_passes(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    response = finish(stub_world, browser)
    assert response.status_code == 303
    assert response.headers["location"] == "/login/registration"
    person = stub_world.services.browser_sessions.person(as_request(browser.cookies))
    assert person is not None
    assert last_login_event(stub_world.services).decision == "allow"
    form = stub.token_requests[-1]
    assert form["grant_type"] == "authorization_code"
    assert form["client_assertion_type"].endswith(":jwt-bearer")
    assert form["code_verifier"]
    assert "client_secret" not in form


def test_callback_in_other_browser(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    url = callback_url(stub_world, browser)
    other = Browser()
    try:
        other.get(stub_world.base_url + "/login/session")
        response = other.get(url)
        assert_refused(stub_world, other, response, "state_mismatch")
        assert query(url)["state"] not in response.text
    finally:
        other.close()
    # The state was taken, so the browser that started the login fails too.
    assert_refused(stub_world, browser, browser.get(url), "state_mismatch")


def test_callback_in_other_session_with_cookie(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    url = callback_url(stub_world, browser)
    other = Browser()
    try:
        callback_url(stub_world, other)
        assert other.cookie(COOKIE_NAME) != browser.cookie(COOKIE_NAME)
        assert_refused(stub_world, other, other.get(url), "state_mismatch")
    finally:
        other.close()


def test_wrong_state_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    url = callback_url(stub_world, browser)
    params = query(url)
    forged = urlencode(
        {"code": params["code"], "state": "forged-state-value", "iss": params["iss"]}
    )
    response = browser.get(f"{stub_world.base_url}/login/callback?{forged}")
    assert_refused(stub_world, browser, response, "state_mismatch")
    assert "forged-state-value" not in response.text


def test_missing_state_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    url = callback_url(stub_world, browser)
    params = query(url)
    response = browser.get(
        f"{stub_world.base_url}/login/callback?code={params['code']}"
    )
    assert_refused(stub_world, browser, response, "state_missing")


def test_replayed_nonce_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    assert finish(stub_world, browser).status_code == 303
    used = stub.nonces[-1]
    stub.forge = forge_claims(nonce=used)
    replay = Browser()
    try:
        assert_refused(stub_world, replay, finish(stub_world, replay), "nonce_replayed")
    finally:
        replay.close()


def test_missing_nonce_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.forge = forge_claims(nonce=None)
    assert_refused(stub_world, browser, finish(stub_world, browser), "nonce_missing")


def test_other_nonce_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.forge = forge_claims(nonce="a-nonce-this-login-never-sent")
    assert_refused(stub_world, browser, finish(stub_world, browser), "nonce_mismatch")


def test_alg_none_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.forge = lambda claims, key: unsigned({"alg": "none", "kid": KID}, claims)
    assert_refused(
        stub_world, browser, finish(stub_world, browser), "algorithm_not_allowed"
    )


@pytest.mark.parametrize("encoding", ["pem", "jwk"])
def test_hs256_with_public_key_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser, encoding: str
) -> None:
    def forge(claims: dict[str, Any], key: ECKey) -> str:
        public = key.as_dict(private=False)
        if encoding == "pem":
            secret = key.raw_value.public_key().public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
        else:
            secret = str(public).encode()
        return hmac_signed({"alg": "HS256", "kid": KID}, claims, secret)

    stub.forge = forge
    assert_refused(
        stub_world, browser, finish(stub_world, browser), "algorithm_not_allowed"
    )


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_unknown_kid_refetches_once_a_minute(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    clock = FakeMonotonic()
    login = stub_world.services.login
    original = login.provider
    login.provider = ProviderDirectory(stub.issuer, monotonic=clock)
    try:
        assert finish(stub_world, browser).status_code == 303
        fetched = stub.jwks_requests
        rotated = ECKey.generate_key("P-256", parameters={"kid": "rotated-key"})
        stub.forge = lambda claims, key: sign(
            {"alg": "ES256", "kid": "rotated-key"}, claims, rotated
        )

        clock.now += 100
        first = Browser()
        try:
            assert_refused(stub_world, first, finish(stub_world, first), "unknown_kid")
        finally:
            first.close()
        assert stub.jwks_requests == fetched + 1

        clock.now += 10
        second = Browser()
        try:
            assert_refused(
                stub_world, second, finish(stub_world, second), "unknown_kid"
            )
        finally:
            second.close()
        assert stub.jwks_requests == fetched + 1

        clock.now += 60
        third = Browser()
        try:
            assert_refused(stub_world, third, finish(stub_world, third), "unknown_kid")
        finally:
            third.close()
        assert stub.jwks_requests == fetched + 2
    finally:
        login.provider = original


@pytest.mark.parametrize("header", ["jku", "jwk", "x5u"])
def test_key_source_headers_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser, header: str
) -> None:
    attacker = ECKey.generate_key("P-256", parameters={"kid": "attacker"})
    sources = {
        "jku": "http://127.0.0.1:9/jwks.json",
        "jwk": attacker.as_dict(private=False),
        "x5u": "http://127.0.0.1:9/cert.pem",
    }
    stub.forge = lambda claims, key: sign(
        {"alg": "ES256", "kid": KID, header: sources[header]}, claims, attacker
    )
    assert_refused(
        stub_world, browser, finish(stub_world, browser), "key_source_header"
    )


def test_signature_by_other_key_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    attacker = ECKey.generate_key("P-256", parameters={"kid": KID})
    stub.forge = lambda claims, key: sign(
        {"alg": "ES256", "kid": KID}, claims, attacker
    )
    assert_refused(stub_world, browser, finish(stub_world, browser), "id_token_invalid")


def test_wrong_issuer_in_id_token_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.forge = forge_claims(iss="http://127.0.0.1:9/other-provider")
    assert_refused(stub_world, browser, finish(stub_world, browser), "issuer_mismatch")


def test_wrong_issuer_in_callback_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.callback_iss = "http://127.0.0.1:9/other-provider"
    assert_refused(stub_world, browser, finish(stub_world, browser), "issuer_mismatch")


def test_missing_issuer_in_callback_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    url = callback_url(stub_world, browser)
    params = query(url)
    response = browser.get(
        f"{stub_world.base_url}/login/callback?code={params['code']}&state={params['state']}"
    )
    assert_refused(stub_world, browser, response, "issuer_missing")


@pytest.mark.parametrize(
    "audience", ["another-client", ["another-client"], ["ccus", "another-client"]]
)
def test_wrong_audience_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser, audience: Any
) -> None:
    stub.forge = forge_claims(aud=audience)
    assert_refused(
        stub_world, browser, finish(stub_world, browser), "audience_mismatch"
    )


def test_expired_id_token_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.forge = forge_claims(exp=NOW - 120, iat=NOW - 420)
    assert_refused(stub_world, browser, finish(stub_world, browser), "id_token_expired")


@pytest.mark.parametrize("issued_at", [NOW + 300, NOW - 3600])
def test_iat_out_of_range_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser, issued_at: int
) -> None:
    stub.forge = forge_claims(iat=issued_at, exp=NOW + 600)
    assert_refused(stub_world, browser, finish(stub_world, browser), "iat_invalid")


def test_missing_name_refused(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    stub.forge = forge_claims(name=None)
    assert_refused(stub_world, browser, finish(stub_world, browser), "claims_missing")


def test_provider_error_not_echoed(
    stub_world: StubWorld, stub: StubProvider, browser: Browser
) -> None:
    url = callback_url(stub_world, browser)
    params = query(url)
    response = browser.get(
        f"{stub_world.base_url}/login/callback?error=%3Cscript%3Eevil&state={params['state']}"
    )
    assert_refused(stub_world, browser, response, "provider_error")
    assert "<script>" not in response.text
    assert "evil" not in response.text
