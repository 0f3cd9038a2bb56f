"""Client registration rules, secret hashing and the 'ccus clients' commands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.cli import main
from ccus.oauth.client_secrets import check_secret, generate_secret, hash_secret
from ccus.oauth.clients import (
    ClientError,
    ClientSpec,
    register_client,
    validate_jwks,
    validate_redirect_uri,
)
from ccus.oauth.models import OAuthClient
from ccus.services import build_services
from tests.conftest import FIXED_NOW, LiveServer
from tests.e2e.helpers import personas
from tests.keys.conftest import Registry
from tests.oauth.helpers import (
    assert_oauth_error,
    assertion,
    basic_auth,
    new_key,
    public_jwks,
    request_token,
    request_with_assertion,
)


def test_secret_hash_checks() -> None:
    secret = generate_secret()
    stored = hash_secret(secret)
    assert len(secret) == 43
    assert secret not in stored
    assert stored.startswith("hmac-sha256$")
    assert hash_secret(secret) != stored
    assert check_secret(secret, stored)
    assert not check_secret(secret + "x", stored)
    assert not check_secret(secret, "plain$" + secret)
    assert not check_secret(secret, "hmac-sha256$!!$!!")


@pytest.mark.parametrize(
    ("jwks", "message"),
    [
        ({"keys": []}, "1 to 10 keys"),
        ([], "JSON object"),
        ({"keys": [ECKey.generate_key("P-256").as_dict(private=True)]}, "private"),
        ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "a"}]}, "private"),
        (
            {"keys": [ECKey.generate_key("P-384", parameters={"kid": "a"}).as_dict()]},
            "P-256",
        ),
        ({"keys": [ECKey.generate_key("P-256").as_dict(private=False)]}, "kid"),
        (
            {
                "keys": [
                    ECKey.generate_key("P-256", parameters={"kid": "a"}).as_dict(
                        private=False
                    ),
                    ECKey.generate_key("P-256", parameters={"kid": "a"}).as_dict(
                        private=False
                    ),
                ]
            },
            "twice",
        ),
        (
            {
                "keys": [
                    ECKey.generate_key(
                        "P-256", parameters={"kid": "a", "alg": "PS256"}
                    ).as_dict(private=False)
                ]
            },
            "alg",
        ),
        (
            {
                "keys": [
                    ECKey.generate_key(
                        "P-256", parameters={"kid": "a", "use": "enc"}
                    ).as_dict(private=False)
                ]
            },
            "use",
        ),
    ],
)
def test_invalid_jwks_rejected(jwks: Any, message: str) -> None:
    with pytest.raises(ClientError, match=message):
        validate_jwks(jwks)


@pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning")
def test_short_rsa_key_rejected() -> None:
    # A deliberately weak key, which registration must reject.
    private = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    key = RSAKey.import_key(private.public_key()).as_dict(private=False)
    with pytest.raises(ClientError, match="2048"):
        validate_jwks({"keys": [{**key, "kid": "short"}]})


def test_registration_rules(registry: Registry) -> None:
    site_id = personas(registry.services)["site_id"]
    cases = [
        (ClientSpec("gate", "device", None, "client_secret_basic"), "site id"),
        (
            ClientSpec("gate", "device", "99999999999999", "client_secret_basic"),
            "no site",
        ),
        (ClientSpec("tool", "regulator", site_id, "client_secret_basic"), "not bound"),
        (ClientSpec("x", "worker", None, "client_secret_basic"), "acts as"),
        (ClientSpec(" ", "regulator", None, "client_secret_basic"), "name"),
        (ClientSpec("tool", "regulator", None, "none"), "not available"),
        (ClientSpec("tool", "regulator", None, "private_key_jwt"), "JWK Set"),
        (
            ClientSpec("tool", "regulator", None, "client_secret_basic", jwks={}),
            "only with private_key_jwt",
        ),
        (
            ClientSpec(
                "gate", "device", site_id, "client_secret_basic", scopes=("audit:read",)
            ),
            "not available to a device",
        ),
    ]
    with registry.services.session() as session:
        for spec, message in cases:
            with pytest.raises(ClientError, match=message):
                register_client(session, spec, FIXED_NOW)
        assert session.query(OAuthClient).count() == 0


def test_stored_secret_is_hashed(registry: Registry) -> None:
    spec = ClientSpec("tool", "regulator", None, "client_secret_basic")
    with registry.services.session() as session:
        client, secret = register_client(session, spec, FIXED_NOW)
        session.commit()
        row = session.get(OAuthClient, client.client_id)
    assert secret is not None and row is not None
    assert row.secret_hash is not None
    assert secret not in row.secret_hash
    assert row.grant_types == ["client_credentials"]
    assert row.redirect_uris == []
    assert row.kind == "confidential"


def cli_env(registry: Registry) -> dict[str, str]:
    return {
        "CCUS_DATABASE_URL": registry.backend.url,
        "CCUS_KEYS_DIR": str(registry.keys_dir),
    }


def test_cli_client_lifecycle(server: LiveServer, registry: Registry) -> None:
    runner = CliRunner()
    env = cli_env(registry)
    site_id = personas(registry.services)["site_id"]
    added = runner.invoke(
        main,
        [
            "clients",
            "add",
            "Gate A",
            "--device-site",
            site_id,
            "--auth-method",
            "client_secret_basic",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    client_id = re.search(r"client_id: (\S+)", added.output)
    secret = re.search(r"client_secret: (\S+)", added.output)
    assert client_id is not None and secret is not None
    assert f"device of site {site_id}" in added.output
    credentials = basic_auth(client_id.group(1), secret.group(1))
    assert request_token(server, credentials).status_code == 200

    listed = runner.invoke(main, ["clients", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert client_id.group(1) in listed.output
    assert "Gate A" in listed.output

    show_result = runner.invoke(main, ["clients", "show", client_id.group(1)], env=env)
    assert show_result.exit_code == 0, show_result.output
    described = json.loads(show_result.output)
    assert described["site_id"] == site_id
    assert described["token_endpoint_auth_method"] == "client_secret_basic"
    assert "secret_hash" not in described
    assert secret.group(1) not in show_result.output

    disabled = runner.invoke(main, ["clients", "disable", client_id.group(1)], env=env)
    assert disabled.exit_code == 0, disabled.output
    assert "10 minutes" in disabled.output
    assert_oauth_error(request_token(server, credentials), 401, "invalid_client")
    again = runner.invoke(main, ["clients", "disable", client_id.group(1)], env=env)
    assert again.exit_code == 1
    assert "already disabled" in again.output
    listed = runner.invoke(main, ["clients", "list"], env=env)
    assert "disabled" in listed.output
    actions = [entry.action for entry in audit_of_operator(registry)]
    assert actions == ["register_client", "disable_client"]


def test_cli_private_key_jwt_client(
    server: LiveServer, registry: Registry, tmp_path: Path
) -> None:
    key = new_key()
    jwks_file = tmp_path / "jwks.json"
    jwks_file.write_text(json.dumps(public_jwks(key)), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["clients", "add", "Audit tool", "--regulator", "--jwks", str(jwks_file)],
        env=cli_env(registry),
    )
    assert result.exit_code == 0, result.output
    assert "client_secret" not in result.output
    assert "scope audit:read" in result.output
    match = re.search(r"client_id: (\S+)", result.output)
    assert match is not None
    signed = assertion(key, match.group(1), server.services.oauth.token_endpoint)
    assert request_with_assertion(server, signed).status_code == 200


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["Gate"], 2, "exactly one of --device-site"),
        (["Gate", "--regulator", "--device-site", "1"], 2, "exactly one of"),
        (["Gate", "--device-site", "99999999999999"], 1, "no site 99999999999999"),
        (["Tool", "--regulator"], 1, "private_key_jwt needs"),
        (["Tool", "--regulator", "--scope", "touches:write"], 1, "not available"),
    ],
)
def test_cli_add_errors(
    registry: Registry, arguments: list[str], code: int, message: str
) -> None:
    result = CliRunner().invoke(
        main, ["clients", "add", *arguments], env=cli_env(registry)
    )
    assert result.exit_code == code, result.output
    assert message in result.output


def test_cli_unknown_client(registry: Registry) -> None:
    runner = CliRunner()
    env = cli_env(registry)
    empty = runner.invoke(main, ["clients", "list"], env=env)
    assert "no clients are registered" in empty.output
    for command in ("show", "disable"):
        result = runner.invoke(main, ["clients", command, "missing"], env=env)
        assert result.exit_code == 1
        assert "no client missing is registered" in result.output


def audit_of_operator(registry: Registry) -> list[AuditEvent]:
    with registry.services.session() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.resource == "oauth_client")
                .where(AuditEvent.actor_kind == "operator")
                .order_by(AuditEvent.seq)
            )
        )


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("http://app.example.jp/callback", "loopback"),
        ("https://APP.example.jp/callback", "lower-case host"),
        ("HTTPS://app.example.jp/callback", "lower-case scheme"),
        ("https://user@app.example.jp/callback", "userinfo"),
        ("https://app.example.jp/callback#top", "fragment"),
        ("https://*.example.jp/callback", "wildcards"),
        ("myapp:/callback", "reverse domain"),
        ("https://app.example.jp:99999/callback", "absolute URI"),
    ],
)
def test_redirect_uri_rules(uri: str, problem: str) -> None:
    with pytest.raises(ClientError, match=problem):
        validate_redirect_uri(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "https://app.example.jp/callback",
        "https://app.example.jp/cb?tenant=7",
        "http://127.0.0.1:8765/callback",
        "http://[::1]:8765/callback",
        "jp.example.genba:/oauth/callback",
    ],
)
def test_redirect_uri_accepted(uri: str) -> None:
    assert validate_redirect_uri(uri) == uri


def test_cli_adds_client_for_people(server: LiveServer, registry: Registry) -> None:
    runner = CliRunner()
    env = cli_env(registry)
    uri = "http://127.0.0.1:8765/callback"
    added = runner.invoke(
        main,
        ["clients", "add", "Phone app", "--auth-method", "none", "--redirect-uri", uri],
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert f"redirect URI: {uri}" in added.output
    assert "client_secret" not in added.output
    client_id = re.search(r"client_id: (\S+)", added.output)
    assert client_id is not None
    with registry.services.session() as session:
        row = session.get(OAuthClient, client_id.group(1))
        assert row is not None
        assert row.kind == "public"
        assert row.grant_types == ["authorization_code", "refresh_token"]
    both = runner.invoke(
        main,
        ["clients", "add", "Mixed", "--regulator", "--redirect-uri", uri],
        env=env,
    )
    assert both.exit_code != 0
    assert "exactly one of" in both.output


def test_cli_admin_token_opens_the_registry(registry: Registry) -> None:
    issued = CliRunner().invoke(main, ["clients", "admin-token"], env=cli_env(registry))
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    # The command stamps the token with the real time, so a server on the
    # real clock checks it.
    services = build_services(registry.services.settings)
    live = LiveServer(services)
    live.start()
    try:
        claims = services.tokens.verify_token(token).claims
        with live.client() as http:
            response = http.get(
                "/oauth/clients", headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        live.stop()
        services.sessions.kw["bind"].dispose()
    assert claims["scope"] == "clients:admin"
    assert claims["ccus_actor"] == {"kind": "operator"}
    assert response.status_code == 200
    with registry.services.session() as session:
        entries = session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_kind == "operator")
        ).all()
    assert "issue_token" in entries
