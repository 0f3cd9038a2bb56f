"""HTTP routes of the local provider under ``/idp``.

Every route returns 404 unless ``CCUS_LOCAL_IDP`` is on. The routes stand in
for another party's service, so they stay out of the OpenAPI document.

The two handlers of ``/idp/authorize`` are coroutines that run their work in
a worker thread themselves. Litestar 2.25 registers every handler of a path
again when another handler joins the path, and wraps a ``sync_to_thread``
handler a second time, so that it returns an unawaited coroutine in place of
its ``Response``.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from anyio import to_thread
from authlib.oauth2.rfc6749 import OAuth2Error  # type: ignore[import-untyped]
from litestar import MediaType, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import RawBody

from ccus.crypto.keyring import KeyringError
from ccus.idp.holders import CardHolder, HoldersError
from ccus.idp.provider import (
    AUTHORIZE_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    TOKEN_PATH,
    LocalProvider,
)
from ccus.login.pages import hidden, page, read_form, redirect, refusal
from ccus.oauth.stores import OAuthStoreError
from ccus.web import services

logger = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Parameters an authorization request may carry; others are dropped so that
# they are neither stored nor repeated.
AUTHORIZATION_PARAMETERS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "max_age",
)
MAX_PARAMETER_LENGTH = 2048
BANNER = (
    "<p class='banner'><strong>Local demo provider.</strong> This page stands in "
    "for the national ID provider, which would read your My Number card. Choose "
    "a demo card holder to log in as that person.</p>"
)


def _provider(request: Request[Any, Any, Any]) -> LocalProvider:
    provider = services(request.app.state).local_idp
    if provider is None:
        raise NotFoundException()
    return provider


@get(
    DISCOVERY_PATH,
    sync_to_thread=False,
    include_in_schema=False,
    media_type=MediaType.JSON,
)
def idp_discovery(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return _provider(request).metadata()


@get(
    JWKS_PATH, sync_to_thread=False, include_in_schema=False, media_type=MediaType.JSON
)
def idp_jwks(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    provider = _provider(request)
    try:
        return Response(provider.jwks(), media_type=MediaType.JSON)
    except KeyringError:
        logger.error(
            "local provider key missing", extra={"file": str(provider.signing_key.path)}
        )
        return Response(
            {
                "error": "server_error",
                "error_description": "the provider key is missing; run "
                "'ccus keys init'",
            },
            status_code=503,
            media_type=MediaType.JSON,
        )


@get(AUTHORIZE_PATH, include_in_schema=False)
async def idp_authorize_page(request: Request[Any, Any, Any]) -> Response[str]:
    """Validate the authorization request and list the demo card holders."""
    return await to_thread.run_sync(_authorize_page, request)


def _authorize_page(request: Request[Any, Any, Any]) -> Response[str]:
    provider = _provider(request)
    values = _authorization_values(request)
    if values is None:
        return _bad_request("a parameter is repeated or longer than 2048 characters")
    try:
        provider.check_authorization(values)
    except OAuth2Error as error:
        if error.redirect_uri:
            return redirect(provider.error_redirect(error, values.get("state")))
        return _bad_request(_describe(error))
    try:
        holders = provider.holders()
        request_id = provider.pending_put(values)
    except HoldersError as error:
        return refusal("No card holders", str(error), "Then reload this page.", 503)
    except OAuthStoreError:
        return refusal(
            "Provider unavailable", "The value store failed.", "Retry in a minute.", 503
        )
    return page(
        "Log in with a My Number card", BANNER + _holder_forms(holders, request_id)
    )


@post(AUTHORIZE_PATH, include_in_schema=False, status_code=303)
async def idp_authorize_decision(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[str]:
    """Issue a code for the chosen card holder, or access_denied on cancel."""
    return await to_thread.run_sync(_authorize_decision, request, body)


def _authorize_decision(request: Request[Any, Any, Any], body: bytes) -> Response[str]:
    provider = _provider(request)
    form = read_form(body) or {}
    try:
        values = provider.pending_take(form.get("request_id", ""))
    except OAuthStoreError:
        return refusal(
            "Provider unavailable", "The value store failed.", "Retry in a minute.", 503
        )
    if values is None:
        return refusal(
            "Login request expired",
            "This login request is older than ten minutes or was already answered.",
            "Go back to the service and start the login again.",
            400,
        )
    holder: CardHolder | None = None
    if "cancel" not in form:
        try:
            holder = provider.holder(form.get("sub", ""))
        except HoldersError as error:
            return refusal(
                "No card holders", str(error), "Then start the login again.", 503
            )
        if holder is None:
            return _bad_request("the chosen card holder does not exist")
    try:
        response = provider.authorize(values, holder)
    except OAuth2Error as error:
        return _bad_request(_describe(error))
    except OAuthStoreError:
        return refusal(
            "Provider unavailable", "The value store failed.", "Retry in a minute.", 503
        )
    location = response.location
    if location is None:
        return _bad_request("the request could not be answered")
    return redirect(location)


@post(TOKEN_PATH, sync_to_thread=True, include_in_schema=False, status_code=200)
def idp_token(request: Request[Any, Any, Any], body: RawBody) -> Response[Any]:
    """Redeem an authorization code for an ID token (client: private_key_jwt)."""
    provider = _provider(request)
    form = read_form(body)
    if form is None:
        return Response(
            {
                "error": "invalid_request",
                "error_description": "send each parameter once as a form",
            },
            status_code=400,
            headers=NO_STORE,
            media_type=MediaType.JSON,
        )
    try:
        response = provider.token({k: v for k, v in form.items() if v})
    except OAuthStoreError:
        return Response(
            {
                "error": "temporarily_unavailable",
                "error_description": "the code store failed; retry later",
            },
            status_code=503,
            headers=NO_STORE,
            media_type=MediaType.JSON,
        )
    except KeyringError:
        logger.error(
            "local provider key missing", extra={"file": str(provider.signing_key.path)}
        )
        return Response(
            {
                "error": "server_error",
                "error_description": "the provider key is missing",
            },
            status_code=500,
            headers=NO_STORE,
            media_type=MediaType.JSON,
        )
    headers = {
        n: v
        for n, v in response.headers
        if n.lower() not in ("content-type", "cache-control", "pragma")
    }
    headers.update(NO_STORE)
    return Response(
        response.body,
        status_code=response.status,
        headers=headers,
        media_type=MediaType.JSON,
    )


def _authorization_values(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in values or len(value) > MAX_PARAMETER_LENGTH:
            return None
        if name in AUTHORIZATION_PARAMETERS:
            values[name] = value
    return values


def _describe(error: OAuth2Error) -> str:
    """Name an authorization error by its code, since authlib's text may echo input."""
    return f"the authorization request is invalid ({error.error})"


def _bad_request(problem: str) -> Response[str]:
    return refusal(
        "Invalid login request",
        f"The local demo provider cannot answer this request: {problem}.",
        "Go back to the service and start the login from its login page.",
        400,
    )


def _holder_forms(holders: list[CardHolder], request_id: str) -> str:
    items = "".join(
        "<div class='box'><form method='post' action='" + AUTHORIZE_PATH + "'>"
        f"{hidden('request_id', request_id)}{hidden('sub', holder.sub)}"
        f"<strong>{escape(holder.label)}</strong>: {escape(holder.description)}"
        f"<div class='muted'>{escape(holder.name)}, "
        f"born {escape(holder.birthdate)}</div>"
        f"<button type='submit'>Log in as {escape(holder.label)}</button></form></div>"
        for holder in holders
    )
    cancel = (
        f"<form method='post' action='{AUTHORIZE_PATH}'>"
        f"{hidden('request_id', request_id)}"
        "<button type='submit' name='cancel' value='1'>Cancel</button></form>"
    )
    return items + cancel


ROUTES = [
    idp_discovery,
    idp_jwks,
    idp_authorize_page,
    idp_authorize_decision,
    idp_token,
]
