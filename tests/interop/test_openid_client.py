"""openid-client, an independent OAuth 2.0 client, against the ccus server."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc.jwk import Key

from tests.conftest import FIXED_NOW, LiveServer
from tests.e2e.helpers import assert_problem
from tests.interop.harness import OpenIDClient, OpenIDClientError
from tests.oauth.helpers import new_key, public_jwks, register

AUDIT_SCOPE = "audit:read"


def ccus_clock_skew_seconds() -> int:
    """Return the ccus test clock minus real time, in whole seconds.

    openid-client stamps client assertions with its own clock, and ccus
    checks them against the fixed clock of the tests.
    """
    return round(FIXED_NOW.timestamp() - time.time())


def register_regulator(
    server: LiveServer, auth_method: str
) -> tuple[str, dict[str, Any]]:
    """Register a regulator client and return its id and its discover parameters."""
    if auth_method == "private_key_jwt":
        key: Key = new_key("ES256")
        client, _ = register(
            server.services,
            acts_as="regulator",
            auth_method="private_key_jwt",
            jwks=public_jwks(key),
        )
        return client.client_id, {
            "client_auth": "private_key_jwt",
            "private_jwk": key.as_dict(private=True),
        }
    client, secret = register(server.services, acts_as="regulator")
    assert secret is not None
    return client.client_id, {
        "client_auth": "client_secret_basic",
        "client_secret": secret,
    }


def discover_ccus(
    openid_client: OpenIDClient,
    server: LiveServer,
    client_id: str,
    auth: dict[str, Any],
) -> dict[str, Any]:
    result = openid_client.call(
        "discover",
        issuer=server.base_url,
        algorithm="oauth2",
        client_id=client_id,
        clock_skew_seconds=ccus_clock_skew_seconds(),
        **auth,
    )
    return dict(result["metadata"])


def audit_events(server: LiveServer, token: str) -> Any:
    with server.client() as http:
        return http.get("/audit/events", headers={"Authorization": f"Bearer {token}"})


def test_discovery_reads_ccus_metadata(
    ccus_server: LiveServer, openid_client: OpenIDClient
) -> None:
    client_id, auth = register_regulator(ccus_server, "client_secret_basic")
    metadata = discover_ccus(openid_client, ccus_server, client_id, auth)
    base = ccus_server.base_url
    assert metadata["issuer"] == base
    assert metadata["token_endpoint"] == f"{base}/oauth/token"
    assert metadata["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert metadata["introspection_endpoint"] == f"{base}/oauth/introspect"
    assert metadata["jwks_uri"] == f"{base}/.well-known/jwks.json"
    assert "client_credentials" in metadata["grant_types_supported"]
    methods = metadata["token_endpoint_auth_methods_supported"]
    assert "private_key_jwt" in methods
    assert "client_secret_basic" in methods
    assert "ES256" in metadata["token_endpoint_auth_signing_alg_values_supported"]


def test_discovery_rejects_other_issuer(
    ccus_server: LiveServer, openid_client: OpenIDClient
) -> None:
    """The metadata names 127.0.0.1, so the same server as localhost fails."""
    client_id, auth = register_regulator(ccus_server, "client_secret_basic")
    with pytest.raises(OpenIDClientError) as failure:
        openid_client.call(
            "discover",
            issuer=f"http://localhost:{ccus_server.port}",
            algorithm="oauth2",
            client_id=client_id,
            **auth,
        )
    assert failure.value.code == "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED"


@pytest.mark.parametrize("auth_method", ["private_key_jwt", "client_secret_basic"])
def test_token_lifecycle(
    ccus_server: LiveServer, openid_client: OpenIDClient, auth_method: str
) -> None:
    """A client_credentials token works, introspects, and dies on revocation."""
    client_id, auth = register_regulator(ccus_server, auth_method)
    discover_ccus(openid_client, ccus_server, client_id, auth)

    issued = openid_client.call("client_credentials", scope=AUDIT_SCOPE)
    token = issued["token"]
    assert token["token_type"].lower() == "bearer"
    assert token["scope"] == AUDIT_SCOPE
    assert token["expires_in"] == 600
    assert issued["id_token_claims"] is None
    access_token = token["access_token"]
    assert audit_events(ccus_server, access_token).status_code == 200

    active = openid_client.call("introspect", token=access_token)
    assert active["active"] is True
    assert active["client_id"] == client_id
    assert active["scope"] == AUDIT_SCOPE
    assert active["iss"] == ccus_server.base_url

    assert openid_client.call("revoke", token=access_token) == {}
    inactive = openid_client.call("introspect", token=access_token)
    assert inactive == {"active": False}
    body = assert_problem(audit_events(ccus_server, access_token), 401)
    assert "revoked" in str(body["detail"])


def test_wrong_secret_returns_error(
    ccus_server: LiveServer, openid_client: OpenIDClient
) -> None:
    """The driver reports the server's OAuth error as JSON and keeps running."""
    client_id, auth = register_regulator(ccus_server, "client_secret_basic")
    discover_ccus(
        openid_client, ccus_server, client_id, {**auth, "client_secret": "wrong"}
    )
    with pytest.raises(OpenIDClientError) as failure:
        openid_client.call("client_credentials")
    # A 401 with a WWW-Authenticate header is a challenge to openid-client.
    assert failure.value.code == "OAUTH_WWW_AUTHENTICATE_CHALLENGE"
    assert failure.value.error == "invalid_client"
    assert failure.value.status == 401
    assert failure.value.error_description

    discover_ccus(openid_client, ccus_server, client_id, auth)
    token = openid_client.call("client_credentials")["token"]["access_token"]
    assert audit_events(ccus_server, token).status_code == 200


def test_unregistered_key_rejected(
    ccus_server: LiveServer, openid_client: OpenIDClient
) -> None:
    client_id, auth = register_regulator(ccus_server, "private_key_jwt")
    stranger = new_key("ES256", kid=auth["private_jwk"]["kid"])
    discover_ccus(
        openid_client,
        ccus_server,
        client_id,
        {**auth, "private_jwk": stranger.as_dict(private=True)},
    )
    with pytest.raises(OpenIDClientError) as failure:
        openid_client.call("client_credentials")
    assert failure.value.error == "invalid_client"
    assert failure.value.status == 401


def test_unknown_command_returns_error(openid_client: OpenIDClient) -> None:
    with pytest.raises(OpenIDClientError) as unknown:
        openid_client.call("password_grant")
    assert unknown.value.code == "INVALID_COMMAND"
    with pytest.raises(OpenIDClientError) as undiscovered:
        openid_client.call("client_credentials", config="nowhere")
    assert undiscovered.value.code == "INVALID_COMMAND"
    assert "discover" in str(undiscovered.value)
