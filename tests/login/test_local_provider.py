"""The local provider's own rules: PKCE S256, exact redirect URI, single-use codes."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from authlib.oauth2.rfc7523.assertion import private_key_jwt_sign
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import ECKey, Key

from ccus.config import load_settings
from tests.login.browser import Browser, location, query
from tests.login.conftest import World
from tests.login.flows import REQUEST_ID
from tests.login.stub_provider import NOW

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def browser() -> Iterator[Browser]:
    profile = Browser()
    yield profile
    profile.close()


def authorization(world: World, verifier: str, **changes: str | None) -> dict[str, str]:
    """Return the parameters of a valid authorization request, with ``changes``."""
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": "ccus",
        "redirect_uri": world.base_url + "/login/callback",
        "scope": "openid profile address",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        **changes,
    }
    return {name: value for name, value in params.items() if value is not None}


def authorize(world: World, browser: Browser, params: dict[str, str]) -> httpx.Response:
    return browser.get(f"{world.base_url}/idp/authorize?{urlencode(params)}")


def code_for(
    world: World, browser: Browser, params: dict[str, str], label: str = "worker"
) -> str:
    """Choose ``label`` on the provider page and return the code it redirects with."""
    page = authorize(world, browser, params)
    assert page.status_code == 200, page.text
    found = REQUEST_ID.search(page.text)
    assert found is not None
    answer = browser.post(
        world.base_url + "/idp/authorize",
        {"request_id": found.group(1), "sub": world.holders[label].sub},
    )
    assert answer.status_code == 303
    back = query(location(answer))
    assert back["state"] == params["state"]
    assert back["iss"] == world.base_url + "/idp"
    return back["code"]


def assertion(world: World, key: Key | None = None) -> str:
    signing_key = key or world.services.login.client_key.key()
    return str(
        private_key_jwt_sign(
            signing_key,
            client_id="ccus",
            token_endpoint=world.base_url + "/idp/token",
            alg="ES256",
            header={"kid": signing_key.kid},
            issued_at=NOW,
            expires_at=NOW + 60,
        )
    )


def redeem(
    world: World, code: str, verifier: str, **changes: str | None
) -> httpx.Response:
    form: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": world.base_url + "/login/callback",
        "code_verifier": verifier,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion(world),
        **changes,
    }
    data = {name: value for name, value in form.items() if value is not None}
    return httpx.post(world.base_url + "/idp/token", data=data, timeout=30)


def test_discovery_announces_rules(login_world: World) -> None:
    metadata = httpx.get(
        login_world.base_url + "/idp/.well-known/openid-configuration"
    ).json()
    assert metadata["issuer"] == login_world.base_url + "/idp"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert metadata["id_token_signing_alg_values_supported"] == ["ES256"]


def test_code_redeems_once_for_id_token(login_world: World, browser: Browser) -> None:
    verifier = secrets.token_urlsafe(48)
    params = authorization(login_world, verifier)
    code = code_for(login_world, browser, params)
    first = redeem(login_world, code, verifier)
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    token = first.json()["id_token"]
    keys = httpx.get(login_world.base_url + "/idp/jwks.json").json()["keys"]
    claims = jwt.decode(token, ECKey.import_key(keys[0]), algorithms=["ES256"]).claims
    holder = login_world.holders["worker"]
    assert claims["iss"] == login_world.base_url + "/idp"
    assert claims["aud"] == "ccus"
    assert claims["sub"] == holder.sub
    assert claims["nonce"] == params["nonce"]
    assert claims["name"] == holder.name
    assert claims["birthdate"] == holder.birthdate
    assert claims["address"]["formatted"] == holder.address
    second = redeem(login_world, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


def test_wrong_code_verifier_rejected(login_world: World, browser: Browser) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(login_world, browser, authorization(login_world, verifier))
    response = redeem(login_world, code, secrets.token_urlsafe(48))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_missing_code_verifier_rejected(login_world: World, browser: Browser) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(login_world, browser, authorization(login_world, verifier))
    response = redeem(login_world, code, verifier, code_verifier=None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"client_assertion": None, "client_assertion_type": None}, "no assertion"),
        ({"client_assertion": "not.a.jwt"}, "malformed"),
    ],
)
def test_token_needs_private_key_jwt(
    login_world: World, browser: Browser, changes: dict[str, Any], reason: str
) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(login_world, browser, authorization(login_world, verifier))
    response = redeem(login_world, code, verifier, **changes)
    assert response.status_code in (400, 401), reason
    assert response.json()["error"] == "invalid_client", reason


def test_assertion_by_other_key_rejected(login_world: World, browser: Browser) -> None:
    verifier = secrets.token_urlsafe(48)
    code = code_for(login_world, browser, authorization(login_world, verifier))
    stranger = ECKey.generate_key(
        "P-256", parameters={"kid": login_world.services.login.client_key.kid}
    )
    response = redeem(
        login_world, code, verifier, client_assertion=assertion(login_world, stranger)
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "changes",
    [
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"code_challenge_method": None},
        {"nonce": None},
        {"scope": "profile"},
    ],
)
def test_invalid_request_redirects_error_with_iss(
    login_world: World, browser: Browser, changes: dict[str, Any]
) -> None:
    params = authorization(login_world, secrets.token_urlsafe(48), **changes)
    response = authorize(login_world, browser, params)
    assert response.status_code == 303
    back = query(location(response))
    assert location(response).startswith(login_world.base_url + "/login/callback?")
    assert back["error"] in ("invalid_request", "invalid_scope")
    assert back["state"] == params["state"]
    assert back["iss"] == login_world.base_url + "/idp"
    assert "code" not in back


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": "http://127.0.0.1:9/login/callback"},
        {"client_id": "someone-else"},
        {"client_id": None},
    ],
)
def test_unverified_client_gets_page_not_redirect(
    login_world: World, browser: Browser, changes: dict[str, Any]
) -> None:
    params = authorization(login_world, secrets.token_urlsafe(48), **changes)
    response = authorize(login_world, browser, params)
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "127.0.0.1:9" not in response.text
    assert "someone-else" not in response.text


def test_cancel_returns_access_denied(login_world: World, browser: Browser) -> None:
    params = authorization(login_world, secrets.token_urlsafe(48))
    page = authorize(login_world, browser, params)
    found = REQUEST_ID.search(page.text)
    assert found is not None
    answer = browser.post(
        login_world.base_url + "/idp/authorize",
        {"request_id": found.group(1), "cancel": "1"},
    )
    back = query(location(answer))
    assert back["error"] == "access_denied"
    assert back["iss"] == login_world.base_url + "/idp"
    replay = browser.post(
        login_world.base_url + "/idp/authorize",
        {"request_id": found.group(1), "sub": login_world.holders["worker"].sub},
    )
    assert replay.status_code == 400


def test_local_provider_setting() -> None:
    settings = load_settings({"CCUS_LOCAL_IDP": "false"})
    assert settings.local_idp is False
    with pytest.raises(ValueError, match="unset CCUS_LOCAL_IDP"):
        load_settings({"CCUS_MODE": "production", "CCUS_LOCAL_IDP": "true"})
    assert load_settings({"CCUS_MODE": "production"}).local_idp is False
    assert load_settings({}).local_idp is True
    assert load_settings({}).login_issuer == "http://127.0.0.1:8000/idp"
