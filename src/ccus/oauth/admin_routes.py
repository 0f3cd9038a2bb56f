"""The client registry over HTTP, for operators of the service.

An operator gets a token for these routes on the server itself with
``ccus clients admin-token``; no other actor kind may hold the
``clients:admin`` scope. Every registration and disabling is an audit entry
under the operator, as with the ``ccus clients`` commands.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, JSONBody

from ccus.audit.log import write_events
from ccus.auth.actors import Actor, OperatorActor
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.errors import ProblemError, problem_responses
from ccus.oauth.audit import registry_draft
from ccus.oauth.clients import (
    PRIVATE_KEY_JWT,
    ClientError,
    ClientSpec,
    disable_client,
    find_client,
    list_clients,
    register_client,
)
from ccus.web import access_context, authenticate, services

ADMIN_SCOPE = "clients:admin"


class ClientRegistration(msgspec.Struct, forbid_unknown_fields=True):
    """A client to register; the fields follow RFC 7591 client metadata."""

    client_name: str
    token_endpoint_auth_method: str = PRIVATE_KEY_JWT
    acts_as: str | None = None
    site_id: str | None = None
    jwks: dict[str, Any] | None = None
    scope: str | None = None
    redirect_uris: list[str] = msgspec.field(default_factory=list)
    refresh_tokens: bool = True


def _operator(request: Request[Any, Any, Any]) -> Actor:
    actor = authenticate(request)
    if not isinstance(actor, OperatorActor):
        raise ProblemError(
            403,
            "not-an-operator",
            "Operators only",
            "The client registry serves operators of the service; get a token "
            "with 'ccus clients admin-token' on the server.",
        )
    return actor


def _invalid(error: ClientError) -> ProblemError:
    return ProblemError(
        400, "invalid-client-registration", "Invalid client", str(error)
    )


@get(
    "/oauth/clients",
    sync_to_thread=False,
    responses=problem_responses(401, 403),
    summary="List the registered clients",
    description="Every registered OAuth client, oldest first, without secrets.",
    tags=["oauth"],
    opt={"scope": ADMIN_SCOPE},
    exception_handlers=SCOPE_ERRORS,
)
def list_registered_clients(request: Request[Any, Any, Any]) -> dict[str, Any]:
    _operator(request)
    with services(request.app.state).session() as session:
        clients = list_clients(session)
    return {"clients": [client.describe() for client in clients]}


@get(
    "/oauth/clients/{client_id:str}",
    sync_to_thread=False,
    responses=problem_responses(401, 403, 404),
    summary="Show a registered client",
    tags=["oauth"],
    opt={"scope": ADMIN_SCOPE},
    exception_handlers=SCOPE_ERRORS,
)
def show_registered_client(
    request: Request[Any, Any, Any], client_id: FromPath[str]
) -> dict[str, Any]:
    _operator(request)
    with services(request.app.state).session() as session:
        client = find_client(session, client_id)
    if client is None:
        raise ProblemError(
            404,
            "client-not-found",
            "Client not found",
            "No client with this id is registered; list them at /oauth/clients.",
        )
    return client.describe()


@post(
    "/oauth/clients",
    sync_to_thread=False,
    status_code=201,
    responses=problem_responses(400, 401, 403),
    summary="Register a client",
    description=(
        "Register a machine client (`acts_as` `device` with `site_id`, or "
        "`regulator`) or a client for people (`redirect_uris`, matched "
        "exactly). `token_endpoint_auth_method` is `private_key_jwt` (send "
        "`jwks`), `client_secret_basic` (the response carries the secret "
        "this once) or `none` for a public client for people. `scope` is "
        "space-separated; without it the client gets every scope open to "
        "its actors."
    ),
    tags=["oauth"],
    opt={"scope": ADMIN_SCOPE},
    exception_handlers=SCOPE_ERRORS,
)
def register_registered_client(
    request: Request[Any, Any, Any], data: JSONBody[ClientRegistration]
) -> dict[str, Any]:
    actor = _operator(request)
    state = services(request.app.state)
    spec = ClientSpec(
        name=data.client_name,
        acts_as=data.acts_as,
        site_id=data.site_id,
        auth_method=data.token_endpoint_auth_method,
        jwks=data.jwks,
        scopes=tuple(data.scope.split()) if data.scope is not None else None,
        redirect_uris=tuple(data.redirect_uris),
        refresh_tokens=data.refresh_tokens,
    )
    context = access_context(request, actor)
    with state.session() as session:
        try:
            client, secret = register_client(session, spec, context.now)
        except ClientError as error:
            raise _invalid(error) from None
        draft = registry_draft("register_client", client.client_id, client.site_id)
        write_events(session, context, [draft])
        session.commit()
    body = client.describe()
    if secret is not None:
        body["client_secret"] = secret
    return body


@post(
    "/oauth/clients/{client_id:str}/disable",
    sync_to_thread=False,
    status_code=200,
    responses=problem_responses(400, 401, 403),
    summary="Disable a client",
    description=(
        "The client can no longer authenticate. Tokens issued before stay "
        "valid until they expire, at most 10 minutes."
    ),
    tags=["oauth"],
    opt={"scope": ADMIN_SCOPE},
    exception_handlers=SCOPE_ERRORS,
)
def disable_registered_client(
    request: Request[Any, Any, Any], client_id: FromPath[str]
) -> dict[str, Any]:
    actor = _operator(request)
    state = services(request.app.state)
    context = access_context(request, actor)
    with state.session() as session:
        try:
            client = disable_client(session, client_id, context.now)
        except ClientError as error:
            raise _invalid(error) from None
        draft = registry_draft("disable_client", client.client_id, client.site_id)
        write_events(session, context, [draft])
        session.commit()
    return client.describe()


ROUTES = [
    list_registered_clients,
    show_registered_client,
    register_registered_client,
    disable_registered_client,
]
