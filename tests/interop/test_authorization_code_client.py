"""openid-client runs the authorization code flow and refresh rotation against ccus.

The person's browser is httpx with a logged-in session cookie. openid-client
builds the authorization URL, checks ``state`` and ``iss`` on the callback,
exchanges the code with PKCE and refreshes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.conftest import LiveServer
from tests.e2e.helpers import personas
from tests.interop.harness import OpenIDClient, OpenIDClientError
from tests.interop.test_openid_client import discover_ccus
from tests.oauth.flow import (
    REDIRECT_URI,
    bearer,
    browser,
    consent_form,
    person_of,
    register_people_client,
)
from tests.oauth.helpers import new_key, public_jwks

SCOPE = "consents:read workers:read"


def client_for_people(
    server: LiveServer, auth_method: str
) -> tuple[str, dict[str, Any]]:
    """Register a client for people and return its id and discover parameters."""
    if auth_method == "private_key_jwt":
        key = new_key("ES256")
        from ccus.oauth.clients import ClientSpec, register_client
        from tests.conftest import FIXED_NOW

        spec = ClientSpec(
            name="Genba Daicho Cloud",
            acts_as=None,
            site_id=None,
            auth_method="private_key_jwt",
            jwks=public_jwks(key),
            redirect_uris=(REDIRECT_URI,),
        )
        with server.services.session() as session:
            client, _ = register_client(session, spec, FIXED_NOW)
            session.commit()
        return client.client_id, {
            "client_auth": "private_key_jwt",
            "private_jwk": key.as_dict(private=True),
        }
    registered = register_people_client(server.services, auth_method=auth_method)
    if registered.secret is None:
        return registered.client_id, {"client_auth": "none"}
    return registered.client_id, {
        "client_auth": "client_secret_basic",
        "client_secret": registered.secret,
    }


def approve_in_browser(server: LiveServer, url: str, persona: str) -> str:
    """Open the authorization URL as ``persona``, allow, and return the callback."""
    parts = urlsplit(url)
    with browser(server, person_of(server.services, persona)) as http:
        page = http.get(f"{parts.path}?{parts.query}")
        form = consent_form(page)
        form["decision"] = "allow"
        answer = http.post("/oauth/authorize", data=form)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


@pytest.mark.parametrize(
    "auth_method", ["private_key_jwt", "client_secret_basic", "none"]
)
def test_code_flow_and_refresh_rotation(
    ccus_server: LiveServer, openid_client: OpenIDClient, auth_method: str
) -> None:
    client_id, auth = client_for_people(ccus_server, auth_method)
    metadata = discover_ccus(openid_client, ccus_server, client_id, auth)
    assert (
        metadata["authorization_endpoint"] == f"{ccus_server.base_url}/oauth/authorize"
    )
    started = openid_client.call(
        "authorization_url", redirect_uri=REDIRECT_URI, scope=SCOPE
    )
    callback = approve_in_browser(ccus_server, started["url"], "worker")

    issued = openid_client.call(
        "authorization_code",
        callback_url=callback,
        code_verifier=started["code_verifier"],
        state=started["state"],
    )
    token = issued["token"]
    assert token["scope"] == SCOPE
    with bearer(ccus_server, token["access_token"]) as http:
        own = http.get("/workers/me")
    assert own.status_code == 200
    assert own.json()["worker_id"] == personas(ccus_server.services)["worker"]

    rotated = openid_client.call("refresh", refresh_token=token["refresh_token"])
    assert rotated["token"]["refresh_token"] != token["refresh_token"]
    with pytest.raises(OpenIDClientError) as reuse:
        openid_client.call("refresh", refresh_token=token["refresh_token"])
    assert reuse.value.error == "invalid_grant"
    with bearer(ccus_server, rotated["token"]["access_token"]) as http:
        assert http.get("/workers/me").status_code == 401


def test_client_rejects_foreign_iss(
    ccus_server: LiveServer, openid_client: OpenIDClient
) -> None:
    """ccus sends iss (RFC 9207), so a callback naming another issuer fails."""
    client_id, auth = client_for_people(ccus_server, "client_secret_basic")
    discover_ccus(openid_client, ccus_server, client_id, auth)
    started = openid_client.call(
        "authorization_url", redirect_uri=REDIRECT_URI, scope=SCOPE
    )
    callback = urlsplit(approve_in_browser(ccus_server, started["url"], "worker"))
    query = dict(parse_qsl(callback.query))
    assert query["iss"] == ccus_server.base_url
    query["iss"] = "https://attacker.example"
    forged = urlunsplit(callback._replace(query=urlencode(query)))
    with pytest.raises(OpenIDClientError) as failure:
        openid_client.call(
            "authorization_code",
            callback_url=forged,
            code_verifier=started["code_verifier"],
            state=started["state"],
        )
    assert failure.value.code == "OAUTH_INVALID_RESPONSE"
    assert '"iss"' in str(failure.value)
