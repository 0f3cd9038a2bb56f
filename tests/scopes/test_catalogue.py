"""The scope catalogue: names, holders, descriptions and requested scopes."""

from __future__ import annotations

import pytest

from ccus.auth.scopes import (
    ACTOR_KINDS,
    SCOPE_NAME,
    SCOPES,
    ScopeError,
    check_requested_scope,
    scopes_for_kind,
)
from tests.scopes.expected import KIND_SCOPES, ROUTE_SCOPES

MAX_DESCRIPTION_LENGTH = 160


def test_names_are_resource_verb() -> None:
    for name, scope in SCOPES.items():
        assert scope.name == name
        assert SCOPE_NAME.fullmatch(name), name


def test_client_scope_names_kept() -> None:
    assert SCOPES["touches:write"].kinds == {"device"}
    assert "regulator" in SCOPES["audit:read"].kinds


@pytest.mark.parametrize("kind", ACTOR_KINDS)
def test_scopes_for_kind(kind: str) -> None:
    assert scopes_for_kind(kind) == KIND_SCOPES[kind]


def test_every_scope_has_a_holder_and_a_route() -> None:
    held = set().union(*KIND_SCOPES.values())
    assert held == set(SCOPES)
    assert set(ROUTE_SCOPES.values()) == set(SCOPES)


def test_unknown_kind_rejected() -> None:
    with pytest.raises(ScopeError) as raised:
        scopes_for_kind("client")
    assert "'client'" in str(raised.value)
    assert "worker, staff, regulator, device, operator" in str(raised.value)


@pytest.mark.parametrize("name", list(SCOPES))
def test_description_is_one_sentence(name: str) -> None:
    description = SCOPES[name].description
    assert description[0].isupper()
    assert description.endswith(".")
    assert ". " not in description
    assert len(description) <= MAX_DESCRIPTION_LENGTH
    assert name not in description, "the consent page shows the name beside it"


def test_requested_scope_parsed() -> None:
    assert check_requested_scope("workers:read consents:read", "worker") == {
        "workers:read",
        "consents:read",
    }


def test_requested_scope_repeats_count_once() -> None:
    assert check_requested_scope("audit:read audit:read", "regulator") == {"audit:read"}


@pytest.mark.parametrize(
    "requested", ["", " ", "workers:read  audit:read", " workers:read", "a\tb"]
)
def test_malformed_scope_rejected(requested: str) -> None:
    with pytest.raises(ScopeError) as raised:
        check_requested_scope(requested, "staff")
    assert raised.value.scope is None
    assert "single spaces" in str(raised.value)


def test_unknown_scope_named() -> None:
    with pytest.raises(ScopeError) as raised:
        check_requested_scope("workers:read workers:delete", "staff")
    assert raised.value.scope == "workers:delete"
    assert "'workers:delete' is unknown" in str(raised.value)


def test_unknown_scope_with_digits_not_echoed() -> None:
    with pytest.raises(ScopeError) as raised:
        check_requested_scope("123456789018", "worker")
    assert raised.value.scope == "123456789018"
    assert "123456789018" not in str(raised.value)
    assert "not shown" in str(raised.value)


@pytest.mark.parametrize(
    ("requested", "kind", "offending"),
    [
        ("workers:read touches:write", "worker", "touches:write"),
        ("touches:write workers:read", "device", "workers:read"),
        ("audit:read rosters:read", "regulator", "rosters:read"),
        ("workers:write", "worker", "workers:write"),
    ],
)
def test_scope_outside_kind_named(requested: str, kind: str, offending: str) -> None:
    with pytest.raises(ScopeError) as raised:
        check_requested_scope(requested, kind)
    assert raised.value.scope == offending
    message = str(raised.value)
    assert f"'{offending}' is not available to a {kind}" in message
    for allowed in KIND_SCOPES[kind]:
        assert allowed in message
