"""The scope catalogue: what each access token scope lets a token do.

A scope narrows a token and never widens it. Every API route that takes a
bearer token declares exactly one scope, and ``ccus.web.authenticate``
rejects a token that lacks it with 403 before the route reads anything. A
token that has the scope still gets only what the policies in
``policies/`` allow its actor.

Each scope names the actor kinds it may be granted to. The OAuth server
grants a scope only to those kinds, and the consent page shows each scope's
description to the person who approves it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

WORKER = "worker"
STAFF = "staff"
REGULATOR = "regulator"
DEVICE = "device"
OPERATOR = "operator"
# The kinds of actor an access token can stand for (``Actor.kind``).
ACTOR_KINDS = (WORKER, STAFF, REGULATOR, DEVICE, OPERATOR)
# A scope name is "resource:verb" in lower case, e.g. "workers:read".
SCOPE_NAME = re.compile(r"[a-z]+(?:-[a-z]+)*:[a-z]+")
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"[!#-\[\]-~]+")
# Longer unknown names are not echoed in error messages.
MAX_SHOWN_LENGTH = 40


@dataclass(frozen=True, slots=True)
class Scope:
    """One scope: its name, the actor kinds it may be granted to, and its description.

    ``description`` is one sentence for the consent page, written for a
    worker or a site manager rather than a programmer.
    """

    name: str
    kinds: frozenset[str]
    description: str


class ScopeError(ValueError):
    """A requested scope is malformed, unknown or not open to the actor kind.

    ``scope`` is the offending scope name, or None when the whole string is
    malformed. The message names it and the fix.
    """

    def __init__(self, message: str, scope: str | None = None) -> None:
        super().__init__(message)
        self.scope = scope


def _catalogue(*scopes: Scope) -> Mapping[str, Scope]:
    return MappingProxyType({scope.name: scope for scope in scopes})


PEOPLE = frozenset({WORKER, STAFF})

# Every scope, keyed by name. The names "touches:write" and "audit:read" are
# registered for existing OAuth clients, so they must not change.
SCOPES: Mapping[str, Scope] = _catalogue(
    Scope(
        "workers:read",
        PEOPLE,
        "See the personal records of workers you are allowed to see, such as "
        "your own record or your company's workers.",
    ),
    Scope(
        "workers:write",
        frozenset({STAFF}),
        "Register new workers employed by your company.",
    ),
    Scope(
        "workers:erase",
        PEOPLE,
        "Erase a worker's personal record for good: your own, or, as a "
        "company administrator, one of your company's workers.",
    ),
    Scope(
        "rosters:read",
        frozenset({STAFF}),
        "See the site rosters of your company and the companies below it, with "
        "the personal details of the roster form.",
    ),
    Scope(
        "rosters:write",
        frozenset({STAFF}),
        "Add workers to the rosters of your company's sites.",
    ),
    Scope(
        "sites:read",
        frozenset({STAFF}),
        "See site summaries: the subcontract tree and how many people worked "
        "each day, with no names.",
    ),
    Scope(
        "touches:write",
        frozenset({DEVICE}),
        "Record the card touches of a site's entry and exit gates.",
    ),
    Scope(
        "audit:read",
        frozenset({WORKER, STAFF, REGULATOR}),
        "See the audit records you are allowed to see: who accessed your own "
        "record, alerts about your company's workers, or the whole audit log "
        "as a regulator.",
    ),
    Scope(
        "statistics:read",
        frozenset({STAFF}),
        "See companies' workforce statistics, in which small counts are hidden.",
    ),
    Scope(
        "consents:read",
        PEOPLE,
        "See the consents about you or your company, and their signed receipts.",
    ),
    Scope(
        "consents:write",
        PEOPLE,
        "Request, offer, approve, reject and revoke consents in your name.",
    ),
    Scope(
        "clients:admin",
        frozenset({OPERATOR}),
        "Register, list and disable the OAuth clients of the registry.",
    ),
)


def scopes_for_kind(kind: str) -> frozenset[str]:
    """Return every scope an actor of ``kind`` may be granted.

    Raises:
        ScopeError: ``kind`` is not one of ``ACTOR_KINDS``.
    """
    if kind not in ACTOR_KINDS:
        raise ScopeError(
            f"actor kind {kind!r} is never granted scopes; "
            f"choose one of: {', '.join(ACTOR_KINDS)}"
        )
    return frozenset(name for name, scope in SCOPES.items() if kind in scope.kinds)


def check_requested_scope(requested: str, kind: str) -> frozenset[str]:
    """Parse a space-separated scope string and return its names.

    The string follows RFC 6749 section 3.3: one or more scope names, each
    separated by a single space, in any order. A repeated name counts once.
    Every name must be in the catalogue and open to ``kind``.

    Raises:
        ScopeError: the string is empty or malformed, or a name is unknown
            or not open to ``kind``; the error names the first such scope.
    """
    allowed = scopes_for_kind(kind)
    names = requested.split(" ")
    if not requested or not all(SCOPE_TOKEN.fullmatch(name) for name in names):
        raise ScopeError(
            "scope must be one or more scope names separated by single spaces, "
            "e.g. 'workers:read consents:read'"
        )
    for name in names:
        if name not in SCOPES:
            raise ScopeError(
                f"scope {_shown(name)} is unknown; choose from: {', '.join(SCOPES)}",
                name,
            )
        if name not in allowed:
            raise ScopeError(
                f"scope {name!r} is not available to a {kind}; "
                f"choose from: {', '.join(sorted(allowed))}",
                name,
            )
    return frozenset(names)


def _shown(name: str) -> str:
    """Quote a requested scope name for an error message, if it is safe to echo.

    Only names shaped like catalogue names (lower-case letters, hyphens and
    one colon) are echoed, so that a client's mistake cannot put a number
    such as an individual number (My Number) into a message or a log.
    """
    if SCOPE_NAME.fullmatch(name) and len(name) <= MAX_SHOWN_LENGTH:
        return repr(name)
    return "(not shown: not of the form resource:verb)"
