"""HTTP routes of the authorization server: token, revocation, introspection.

Every response of these routes, errors included, carries
``Cache-Control: no-store`` and ``Pragma: no-cache`` (RFC 6749 section 5.1).
Audit entries are committed before the response is sent.
"""

from __future__ import annotations

from typing import Any

from litestar import HttpMethod, MediaType, Request, Response, get, post, route
from litestar.exceptions import MethodNotAllowedException
from litestar.params import RawBody
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ccus.audit.log import AccessContext, append_rows, event_rows
from ccus.oauth.audit import OAuthEvent
from ccus.oauth.server import HttpInput, OAuthResponse
from ccus.oauth.stores import OAuthStoreError
from ccus.services import Services
from ccus.web import services

NO_STORE_HEADERS = ((b"cache-control", b"no-store"), (b"pragma", b"no-cache"))
_REPLACED = {name for name, _ in NO_STORE_HEADERS}


def no_store_middleware(app: ASGIApp) -> ASGIApp:
    """Set the no-store headers on every response, whatever produced it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() not in _REPLACED
                ]
                headers.extend(NO_STORE_HEADERS)
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_no_store)

    return middleware


def _handle(
    request: Request[Any, Any, Any], endpoint: str, body: bytes
) -> Response[Any]:
    state = services(request.app.state)
    http = HttpInput(
        endpoint=endpoint,
        content_type=request.headers.get("content-type"),
        authorization=request.headers.get("authorization"),
        body=body,
        remote=request.client.host if request.client else "",
    )
    try:
        response, events = state.oauth.respond(http)
    except OAuthStoreError:
        # The store logged the failure. Nothing was issued or revoked.
        return Response(
            {
                "error": "temporarily_unavailable",
                "error_description": "the token id store failed; retry later",
            },
            status_code=503,
            headers={"Retry-After": "5"},
            media_type=MediaType.JSON,
        )
    commit_events(request, state, events)
    return _litestar_response(response)


def commit_events(
    request: Request[Any, Any, Any], state: Services, events: list[OAuthEvent]
) -> None:
    """Commit the request's audit entries, each under the actor it names."""
    if not events:
        return
    request_id = str(request.scope.get("state", {}).get("request_id", ""))
    now = state.clock()
    rows = []
    for event in events:
        context = AccessContext(
            actor=event.actor,
            request_id=request_id,
            now=now,
            chain=state.audit_chain,
        )
        rows.extend(event_rows(context, [event.draft()]))
    with state.session() as session:
        append_rows(session, state.audit_chain, state.detectors, rows, now)
        session.commit()


def _litestar_response(response: OAuthResponse) -> Response[Any]:
    headers = {
        name: value
        for name, value in response.headers
        if name.lower() not in ("content-type", "cache-control", "pragma")
    }
    return Response(
        response.body,
        status_code=response.status,
        headers=headers,
        media_type=MediaType.JSON,
    )


@post(
    "/oauth/token",
    sync_to_thread=False,
    status_code=200,
    middleware=[no_store_middleware],
    tags=["oauth"],
    summary="Issue an access token",
    description=(
        "OAuth 2.0 token endpoint (RFC 6749) for machine clients, serving the "
        "client_credentials grant only. Send application/x-www-form-urlencoded "
        "parameters and authenticate with private_key_jwt (RFC 7523) or "
        "client_secret_basic. The access token is an RFC 9068 JWT valid for "
        "10 minutes. Errors follow RFC 6749 section 5.2."
    ),
)
def token_endpoint(request: Request[Any, Any, Any], body: RawBody) -> Response[Any]:
    return _handle(request, "token", body)


@post(
    "/oauth/revoke",
    sync_to_thread=False,
    status_code=200,
    middleware=[no_store_middleware],
    tags=["oauth"],
    summary="Revoke an access token",
    description=(
        "OAuth 2.0 token revocation (RFC 7009). A client revokes a token "
        "issued to itself; the token then fails on every route until it "
        "expires. An invalid or expired token gets a success response too."
    ),
)
def revocation_endpoint(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[Any]:
    return _handle(request, "revocation", body)


@post(
    "/oauth/introspect",
    sync_to_thread=False,
    status_code=200,
    middleware=[no_store_middleware],
    tags=["oauth"],
    summary="Introspect an access token",
    description=(
        "OAuth 2.0 token introspection (RFC 7662) for authenticated "
        "confidential clients. An invalid, expired or revoked token is "
        'reported as {"active": false}.'
    ),
)
def introspection_endpoint(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[Any]:
    return _handle(request, "introspection", body)


@get(
    "/.well-known/oauth-authorization-server",
    sync_to_thread=False,
    tags=["oauth"],
    summary="Authorization server metadata",
    description="RFC 8414 metadata listing the endpoints and methods served.",
    media_type=MediaType.JSON,
)
def authorization_server_metadata(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return services(request.app.state).oauth.metadata()


@route(
    ["/oauth/token", "/oauth/revoke", "/oauth/introspect"],
    http_method=[HttpMethod.GET, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE],
    sync_to_thread=False,
    middleware=[no_store_middleware],
    include_in_schema=False,
)
def reject_other_methods() -> None:
    """Reject methods other than POST with 405, sending the no-store headers too."""
    raise MethodNotAllowedException()
