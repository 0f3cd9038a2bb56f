"""Checks on the provider's discovery document before any login uses it."""

from __future__ import annotations

from typing import Any

import pytest

from ccus.login.provider import ProviderDirectory, ProviderUnavailable, parse_metadata

ISSUER = "https://idp.example.jp"


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/jwks",
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "authorization_response_iss_parameter_supported": True,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def test_valid_document_parsed() -> None:
    metadata = parse_metadata(document(), ISSUER)
    assert metadata.token_endpoint == ISSUER + "/token"
    assert metadata.id_token_signing_alg_values_supported == ("RS256", "ES256")
    assert metadata.authorization_response_iss_parameter_supported is True


def test_iss_parameter_defaults_off() -> None:
    metadata = parse_metadata(
        document(authorization_response_iss_parameter_supported=None), ISSUER
    )
    assert metadata.authorization_response_iss_parameter_supported is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "https://other.example.jp"}, "names another issuer"),
        (
            {"token_endpoint": "http://idp.example.jp/token"},
            "token_endpoint is not an https URL",
        ),
        ({"jwks_uri": None}, "jwks_uri is not an https URL"),
        ({"code_challenge_methods_supported": "S256"}, "is not a string list"),
    ],
)
def test_bad_document_rejected(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProviderUnavailable, match=message):
        parse_metadata(document(**changes), ISSUER)


def test_plain_http_issuer_rejected() -> None:
    with pytest.raises(ProviderUnavailable, match="not an https URL"):
        ProviderDirectory("http://idp.example.jp").metadata()
