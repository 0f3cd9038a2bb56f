"""The scope each API route requires, and the 403 a token without it gets.

A route that takes a bearer token declares one scope of the catalogue in
its decorator, next to the exception handler that reports a missing one::

    @get(
        "/workers/{worker_id:str}",
        opt={"scope": "workers:read"},
        exception_handlers=SCOPE_ERRORS,
    )

``ccus.web.authenticate`` reads the declaration and raises
``InsufficientScope`` when the token lacks the scope. ``SCOPE_ERRORS``
turns that into the RFC 6750 section 3.1 answer: 403 with
``WWW-Authenticate: Bearer error="insufficient_scope", scope="..."`` and a
problem details body. Each route registers it because the application's
handler for ``ProblemError`` sets ``WWW-Authenticate`` on 401 only.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.types import ExceptionHandlersMap

from ccus.auth.actors import Actor
from ccus.auth.scopes import ACTOR_KINDS, PEOPLE, SCOPES
from ccus.errors import ProblemError, handle_problem

# The key of a route's ``opt`` that names its scope.
SCOPE_OPTION = "scope"


class UndeclaredScope(RuntimeError):
    """A route called ``authenticate`` without declaring a scope of the catalogue.

    A programming error: every request to the route fails with 500 until
    the route declares its scope, so no token passes unchecked.
    """


class InsufficientScope(ProblemError):
    """The access token lacks the scope the route requires (403).

    ``scope`` is the missing scope. The body names it in ``required_scope``
    and explains how to get a token that has it.
    """

    def __init__(self, scope: str, kind: str) -> None:
        super().__init__(
            403,
            "insufficient-scope",
            "Insufficient scope",
            _detail(scope, kind),
            {"required_scope": scope},
        )
        self.scope = scope


def route_scope(request: Request[Any, Any, Any]) -> str:
    """Return the scope the request's route declares.

    Raises:
        UndeclaredScope: the route declares no scope, or one that is not in
            the catalogue.
    """
    handler = request.route_handler
    scope = handler.opt.get(SCOPE_OPTION)
    if not isinstance(scope, str) or scope not in SCOPES:
        paths = ", ".join(sorted(handler.paths))
        raise UndeclaredScope(
            f"the route handler of {paths} declares no scope of the catalogue; "
            f"add opt={{'scope': ...}} with one of: {', '.join(SCOPES)}"
        )
    return scope


def require_scope(actor: Actor, scope: str) -> None:
    """Raise InsufficientScope unless the token of ``actor`` has ``scope``."""
    if scope not in actor.scopes:
        raise InsufficientScope(scope, actor.kind)


def handle_insufficient_scope(
    request: Request[Any, Any, Any], error: InsufficientScope
) -> Response[Any]:
    """Send the problem body with the RFC 6750 ``insufficient_scope`` challenge."""
    response = handle_problem(request, error)
    response.headers["WWW-Authenticate"] = (
        f'Bearer error="insufficient_scope", scope="{error.scope}"'
    )
    return response


# The exception handlers that every route declaring a scope registers.
SCOPE_ERRORS: ExceptionHandlersMap = {InsufficientScope: handle_insufficient_scope}


def _detail(scope: str, kind: str) -> str:
    holders = SCOPES[scope].kinds
    if kind not in holders:
        return (
            f"This request needs the scope {scope}, which is never granted to a "
            f"{kind} token; only {_either(holders)} tokens get it."
        )
    if kind in PEOPLE:
        how = (
            f"Request a new access token whose scope includes {scope}; the "
            "person approves it on the consent page."
        )
    else:
        how = (
            f"Request a new access token with scope {scope}; the client must "
            "be registered with that scope."
        )
    return f"The access token lacks the scope {scope}, which this request needs. {how}"


def _either(kinds: frozenset[str]) -> str:
    """Join actor kinds as "worker, staff or regulator", in catalogue order."""
    names = [kind for kind in ACTOR_KINDS if kind in kinds]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} or {names[-1]}"
