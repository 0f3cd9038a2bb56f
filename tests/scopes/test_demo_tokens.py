"""Demo tokens have every scope of their kind, and no other.

With those scopes each persona gets the contract table's status wherever
its kind may be granted the route's scope, and 403 ``insufficient_scope``
elsewhere, whatever the policies decide.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ccus.auth.tokens import TokenService
from ccus.cli import main
from ccus.demo.personas import PERSONAS
from ccus.services import Services
from tests.conftest import Backend
from tests.e2e.contract_table import CONTRACT, SHARED, Endpoint, Expect
from tests.e2e.helpers import actor_of
from tests.e2e.test_contract import Context, World, check_response, send
from tests.scopes.expected import KIND_SCOPES, ROUTE_SCOPES
from tests.scopes.test_route_scopes import assert_insufficient_scope


def shared_cases() -> list[pytest.ParameterSet]:
    """Return the table's cases on the demo data for personas with a token."""
    return [
        pytest.param(persona, endpoint, expect, id=f"{persona}-{endpoint}")
        for endpoint, scope in ROUTE_SCOPES.items()
        for persona, expect in CONTRACT[endpoint].items()
        if persona != "anonymous" and expect.setting == SHARED
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_has_kind_scopes(loaded: Services, persona: str) -> None:
    actor = actor_of(loaded, persona)
    assert actor.scopes == KIND_SCOPES[actor.kind]


@pytest.mark.parametrize(("persona", "endpoint", "expect"), shared_cases())
def test_demo_token_on_demo_data(
    shared_world: World, persona: str, endpoint: Endpoint, expect: Expect
) -> None:
    actor = shared_world.actors[persona]
    assert actor is not None
    scopes = KIND_SCOPES[actor.kind]
    response = send(shared_world, persona, endpoint, scopes=scopes)
    scope = ROUTE_SCOPES[endpoint]
    if scope in scopes:
        context = Context(persona, shared_world.targets)
        check_response(response, endpoint, expect, context)
        return
    body = assert_insufficient_scope(response, scope, actor.kind)
    assert f"never granted to a {actor.kind} token" in str(body["detail"])


@pytest.mark.parametrize("persona", ["worker", "prime", "regulator", "device"])
def test_demo_token_command_scope(
    loaded: Services, backend: Backend, keys_dir: Path, persona: str
) -> None:
    env = {"CCUS_DATABASE_URL": backend.url, "CCUS_KEYS_DIR": str(keys_dir)}
    result = CliRunner().invoke(main, ["demo", "token", persona], env=env)
    assert result.exit_code == 0, result.output
    # The command signs with the system clock, which the session's fixed
    # clock may lag, so the token is verified with the system clock.
    tokens = TokenService(
        loaded.keyring,
        issuer=loaded.settings.issuer,
        audience=loaded.settings.audience,
        lifetime_seconds=600,
    )
    claims = tokens.verify_token(result.output.strip()).claims
    kind = claims["ccus_actor"]["kind"]
    assert claims["scope"] == " ".join(sorted(KIND_SCOPES[kind]))
