"""Every route that takes a bearer token declares one scope of the catalogue.

The walk follows each route handler's calls into the ``ccus`` package: a
handler that reaches ``ccus.web.authenticate`` must declare its scope and
register the handler of InsufficientScope, and any other must declare none.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar import Litestar, Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient
from litestar.utils.sync import AsyncCallable

from ccus.app import openapi_app
from ccus.auth.route_scopes import (
    SCOPE_ERRORS,
    InsufficientScope,
    handle_insufficient_scope,
)
from ccus.auth.scopes import SCOPES
from ccus.web import authenticate
from tests.e2e.contract_table import Endpoint
from tests.scopes.expected import ROUTE_SCOPES


def code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    """Yield ``code`` and the code of every function or comprehension inside it."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from code_objects(constant)


def reaches(function: Callable[..., Any], target: Callable[..., Any]) -> bool:
    """Return whether ``function`` calls ``target``, directly or through ccus code.

    Follows the global names that each code object uses, into functions of
    the ``ccus`` package, so that helpers such as a route module's shared
    ``_search`` count.
    """
    seen: set[types.CodeType] = set()
    pending = [function]
    while pending:
        current = pending.pop()
        code = getattr(current, "__code__", None)
        if code is None or code in seen:
            continue
        seen.add(code)
        namespace = getattr(current, "__globals__", {})
        for inner in code_objects(code):
            for name in inner.co_names:
                value = namespace.get(name)
                if value is target:
                    return True
                if isinstance(value, types.FunctionType) and (
                    value.__module__ or ""
                ).startswith("ccus."):
                    pending.append(value)
    return False


def route_handlers() -> list[HTTPRouteHandler]:
    """Return every HTTP route handler of the application, OPTIONS excepted."""
    handlers = []
    for route in openapi_app().routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods != {
                "OPTIONS"
            }:
                handlers.append(handler)
    return handlers


def handler_function(handler: HTTPRouteHandler) -> Callable[..., Any]:
    """Return the function a route handler wraps.

    Litestar wraps a handler that runs in a thread in an AsyncCallable, once
    for each application it is registered in, and keeps the wrapped callable
    as ``func``.
    """
    function: Any = handler.fn
    while isinstance(function, AsyncCallable):
        function = function.func
    return function  # type: ignore[no-any-return]


def endpoints(handler: HTTPRouteHandler) -> set[Endpoint]:
    return {
        Endpoint(method, path.replace(":str}", "}").replace(":int}", "}"))
        for path in handler.paths
        for method in handler.http_methods
    }


def test_walk_finds_authenticate_through_helpers() -> None:
    declared = {
        endpoint
        for handler in route_handlers()
        if reaches(handler_function(handler), authenticate)
        for endpoint in endpoints(handler)
    }
    assert declared == set(ROUTE_SCOPES)


@pytest.mark.parametrize("handler", route_handlers(), ids=lambda h: h.handler_name)
def test_route_declares_scope_iff_authenticated(handler: HTTPRouteHandler) -> None:
    scope = handler.opt.get("scope")
    if not reaches(handler_function(handler), authenticate):
        assert scope is None, "a route without a bearer token declares no scope"
        return
    assert scope in SCOPES, f"{sorted(handler.paths)} declares no catalogue scope"
    handlers = handler.resolve_exception_handlers()
    assert handlers.get(InsufficientScope) is handle_insufficient_scope


def test_declared_scopes_match_table() -> None:
    declared = {
        endpoint: handler.opt["scope"]
        for handler in route_handlers()
        if "scope" in handler.opt
        for endpoint in endpoints(handler)
    }
    assert declared == ROUTE_SCOPES


@get("/undeclared", sync_to_thread=False)
def undeclared(request: Request[Any, Any, Any]) -> str:
    return authenticate(request).subject


@get(
    "/unknown-scope",
    sync_to_thread=False,
    opt={"scope": "workers:delete"},
    exception_handlers=SCOPE_ERRORS,
)
def unknown_scope(request: Request[Any, Any, Any]) -> str:
    return authenticate(request).subject


@pytest.mark.parametrize("path", ["/undeclared", "/unknown-scope"])
def test_undeclared_scope_fails_closed(path: str) -> None:
    app = Litestar(route_handlers=[undeclared, unknown_scope], debug=False)
    with TestClient(app) as client:
        anonymous = client.get(path)
        bearer = client.get(path, headers={"Authorization": "Bearer x.y.z"})
    assert anonymous.status_code == 500
    assert bearer.status_code == 500
