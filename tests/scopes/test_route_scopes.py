"""Each route rejects a token without its scope and accepts one with it.

A rejection is RFC 6750's 403 ``insufficient_scope`` with the scope in the
WWW-Authenticate challenge and a problem body naming it, sent before the
route reads or writes anything. A token with the scope gets the contract
table's status and field groups, so a scope never widens what the policies
allow.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from ccus.audit.models import AuditEvent
from ccus.auth.scopes import PEOPLE, SCOPES
from tests.conftest import EVERY_SCOPE
from tests.e2e.contract_table import (
    CONTRACT,
    GET_ACCESS_LOG,
    GET_CONSENTED_WORKERS,
    GET_OWN_RECORD,
    GET_ROSTER,
    GET_WORKER,
    GET_WORKER_ACCESS,
    GET_WORKERS,
    POST_ERASURE,
    Endpoint,
    Expect,
)
from tests.e2e.helpers import assert_problem
from tests.e2e.test_contract import (
    Context,
    World,
    check_response,
    new_employee,
    prepare,
    send,
)
from tests.scopes.expected import ACCEPTED_PERSONA, ROUTE_SCOPES

# The client registry routes serve operators, who are no persona; they are
# checked in tests/oauth/test_client_admin.py.
ENDPOINTS = list(ACCEPTED_PERSONA)
# Reads of personal data, and the read path method or vault call behind each.
WORKER_READS = (
    GET_OWN_RECORD,
    GET_WORKER,
    GET_WORKER_ACCESS,
    GET_WORKERS,
    GET_CONSENTED_WORKERS,
    GET_ROSTER,
)
READ_PATH_METHODS = ("read_worker", "explain", "read_consented", "read_roster")


def audit_count(world: World) -> int:
    with world.services.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def assert_insufficient_scope(
    response: httpx.Response, scope: str, kind: str
) -> dict[str, Any]:
    """Check the 403 challenge and problem body of a token that lacks ``scope``."""
    body = assert_problem(response, 403)
    assert response.headers["www-authenticate"] == (
        f'Bearer error="insufficient_scope", scope="{scope}"'
    )
    assert body["type"] == "https://ccus.example/problems/insufficient-scope"
    assert body["required_scope"] == scope
    detail = str(body["detail"])
    assert scope in detail
    if kind in PEOPLE and kind in SCOPES[scope].kinds:
        assert "consent page" in detail
    return body


def kind_of(world: World, persona: str) -> str:
    actor = world.actors[persona]
    assert actor is not None
    return actor.kind


def prepared(world: World, endpoint: Endpoint) -> World:
    """Return the world of a case that may succeed, with what it changes created.

    An erasure gets a new worker of the target's employer, so that the
    target stays readable for the other cases.
    """
    if endpoint == POST_ERASURE:
        worker_id = new_employee(world.services, world.targets.company_id)
        return replace(world, targets=replace(world.targets, worker_id=worker_id))
    return prepare(world, endpoint)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_route_rejects_every_other_scope(
    scratch_world: World, endpoint: Endpoint
) -> None:
    scope = ROUTE_SCOPES[endpoint]
    persona = ACCEPTED_PERSONA[endpoint]
    world = prepared(scratch_world, endpoint)
    before = audit_count(world)
    response = send(world, persona, endpoint, scopes=EVERY_SCOPE - {scope})
    assert_insufficient_scope(response, scope, kind_of(world, persona))
    assert audit_count(world) == before, "a rejected request wrote an audit entry"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_route_rejects_token_without_scopes(
    scratch_world: World, endpoint: Endpoint
) -> None:
    scope = ROUTE_SCOPES[endpoint]
    persona = ACCEPTED_PERSONA[endpoint]
    world = prepared(scratch_world, endpoint)
    response = send(world, persona, endpoint, scopes=frozenset())
    assert_insufficient_scope(response, scope, kind_of(world, persona))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_route_accepts_its_scope_alone(
    shared_world: World, scratch_world: World, endpoint: Endpoint
) -> None:
    persona = ACCEPTED_PERSONA[endpoint]
    expect = CONTRACT[endpoint][persona]
    assert expect.status < 300
    if endpoint == POST_ERASURE:
        expect = Expect(200)
    # Successful writes run on the scratch data set; reads on the demo data,
    # where the contract table's field groups were written down.
    world = shared_world if endpoint.method == "GET" else scratch_world
    world = prepared(world, endpoint)
    response = send(
        world, persona, endpoint, scopes=frozenset({ROUTE_SCOPES[endpoint]})
    )
    check_response(response, endpoint, expect, Context(persona, world.targets))


@pytest.mark.parametrize("endpoint", WORKER_READS, ids=str)
def test_worker_read_rejected_before_loading(
    shared_world: World, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read without workers:read or rosters:read reaches no read path or key."""
    services = shared_world.services
    calls: list[str] = []

    def spy(name: str, original: Any) -> Any:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return original(*args, **kwargs)

        return recorded

    for name in READ_PATH_METHODS:
        original = getattr(services.read_path, name)
        monkeypatch.setattr(services.read_path, name, spy(name, original))
    monkeypatch.setattr(
        services.vault, "data_key", spy("data_key", services.vault.data_key)
    )
    persona = ACCEPTED_PERSONA[endpoint]
    scope = ROUTE_SCOPES[endpoint]
    rejected = send(shared_world, persona, endpoint, scopes=EVERY_SCOPE - {scope})
    assert_insufficient_scope(rejected, scope, kind_of(shared_world, persona))
    assert calls == []
    accepted = send(shared_world, persona, endpoint, scopes=frozenset({scope}))
    assert accepted.status_code == 200, accepted.text
    assert calls, "the spies saw no read of the accepted request"


def test_scopes_never_widen_policies(shared_world: World) -> None:
    worker = send(shared_world, "worker", GET_WORKERS)
    assert_problem(worker, 403)
    assert worker.json()["type"].endswith("/forbidden")
    assert "www-authenticate" not in worker.headers
    device = send(shared_world, "device", GET_WORKER)
    assert_problem(device, 404)
    regulator = send(shared_world, "regulator", GET_ACCESS_LOG)
    assert_problem(regulator, 404)
