"""Browser routes of the login: start, callback, session, logout, registration.

These routes serve people in browsers, so they respond with HTML pages and
redirects, not JSON, and stay out of the OpenAPI document. A refusal names
the problem and what to do, never repeats input, and is written to the audit
log before the page is sent. ``GET /login/jwks.json`` publishes the public
key of the service's client assertions for the provider.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response, get, post
from litestar.params import RawBody

from ccus.crypto.keyring import KeyringError
from ccus.errors import ProblemError
from ccus.login.audit import (
    LOGIN,
    LOGOUT,
    failure_basis,
    person_basis,
    write_login_event,
)
from ccus.login.client import LoginRefused
from ccus.login.id_token import VerifiedIdentity
from ccus.login.linking import link_person
from ccus.login.pages import read_form, redirect, refusal, store_failure_page
from ccus.login.provider import ProviderUnavailable
from ccus.login.registration_routes import registration_form, submit_registration
from ccus.login.session_pages import REGISTRATION_PAGE, SESSION_PAGE, session_page
from ccus.login.sessions import OpenSession
from ccus.oauth.stores import OAuthStoreError
from ccus.web import services

logger = logging.getLogger(__name__)

# An authorization request of up to 4,096 characters fits, with its path.
MAX_RETURN_TO_LENGTH = 4200
# Characters a path and query may carry as they are; others are
# percent-encoded, so that the Location header is ASCII.
URI_CHARACTERS = "/?#[]@!$&'()*+,;=:-._~%"


def safe_return_to(value: str | None) -> str:
    """Return ``value`` if it is a same-origin path, else the session page.

    Only a path that starts with one ``/`` passes: ``//host`` and ``/\\host``
    name other hosts in browsers, and control characters or a scheme could
    turn the redirect into another origin. Characters outside ASCII are
    percent-encoded.
    """
    if (
        not value
        or len(value) > MAX_RETURN_TO_LENGTH
        or not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or any(ord(char) < 0x21 or ord(char) == 0x7F or char == "\\" for char in value)
    ):
        return SESSION_PAGE
    return quote(value, safe=URI_CHARACTERS)


@get("/login", sync_to_thread=True, include_in_schema=False)
def start_login(request: Request[Any, Any, Any]) -> Response[str]:
    """Open or reuse the browser session and send the person to the provider."""
    state = services(request.app.state)
    return_to = safe_return_to(request.query_params.get("return_to"))
    try:
        session = state.browser_sessions.load_or_open(request)
        url = state.login.begin(session.ref, return_to)
    except OAuthStoreError:
        return store_failure_page()
    except (ProviderUnavailable, KeyringError) as error:
        logger.error("login could not start", extra={"reason": str(error)})
        write_login_event(
            request, state, LOGIN, "deny", basis=failure_basis("provider_unavailable")
        )
        return refusal(
            "Login unavailable",
            "The login provider could not be reached or the service's login "
            "client is not set up.",
            "Retry later. If it persists, the operator should check "
            "CCUS_LOGIN_ISSUER and run 'ccus keys init'.",
            502,
        )
    cookies = [state.browser_sessions.cookie(session)] if session.new else []
    return redirect(url, cookies)


@get("/login/callback", sync_to_thread=True, include_in_schema=False)
def login_callback(request: Request[Any, Any, Any]) -> Response[str]:
    """Finish a login at the provider's redirect and open the logged-in session."""
    state = services(request.app.state)
    query = _single_values(request)
    try:
        previous = state.browser_sessions.load(request)
        verified = state.login.complete(
            previous.ref if previous is not None else None, query or {}
        )
    except OAuthStoreError:
        return store_failure_page()
    except LoginRefused as refused:
        return _refused_page(request, refused)

    with state.session() as session:
        person = link_person(
            session,
            state.indexer,
            state.staff_login_index,
            verified.login_subject,
            verified.identity.name,
            verified.identity.birth_date,
            verified.authenticated_at,
        )
    may_register = person.worker_id is None and not person.staff
    # The claims stay in the session only while the person may register.
    claims = _registration_claims(verified.identity) if may_register else None
    try:
        opened = state.browser_sessions.log_in(previous, person, claims)
    except OAuthStoreError:
        return store_failure_page()

    write_login_event(
        request,
        state,
        LOGIN,
        "allow",
        subject=person.login_subject,
        worker_id=person.worker_id,
        basis=person_basis(person),
    )
    target = REGISTRATION_PAGE if may_register else verified.return_to
    return redirect(target, [state.browser_sessions.cookie(opened)])


def _refused_page(
    request: Request[Any, Any, Any], refused: LoginRefused
) -> Response[str]:
    """Log and audit a refused callback, and return the page that explains it."""
    logger.info("login refused", extra={"reason": refused.reason})
    state = services(request.app.state)
    write_login_event(
        request, state, LOGIN, "deny", basis=failure_basis(refused.reason)
    )
    return refusal(
        "Login refused",
        f"The login could not be completed: {refused}.",
        "Open the page you came from and log in again. If this keeps "
        "happening, close other tabs of this service first.",
        refused.status,
    )


def _registration_claims(identity: VerifiedIdentity) -> dict[str, Any]:
    """Return the verified claims that the registration page shows and stores."""
    return {
        "name": identity.name,
        "birth_date": identity.birth_date.isoformat(),
        "gender": identity.gender,
        "address": identity.address,
        "postal_code": identity.postal_code,
    }


@get(SESSION_PAGE, sync_to_thread=True, include_in_schema=False)
def show_session(request: Request[Any, Any, Any]) -> Response[str]:
    """Show who the browser is logged in as, with a logout button."""
    state = services(request.app.state)
    try:
        session = state.browser_sessions.load(request)
    except OAuthStoreError:
        return store_failure_page()
    return session_page(session, state.settings.local_idp)


@post("/logout", sync_to_thread=True, include_in_schema=False, status_code=303)
def logout(request: Request[Any, Any, Any], body: RawBody) -> Response[str]:
    """End the browser session; the form must carry the session's CSRF token."""
    state = services(request.app.state)
    form = read_form(body) or {}
    sessions = state.browser_sessions
    try:
        session = sessions.load(request)
        if session is None:
            return redirect(SESSION_PAGE, [sessions.expired_cookie()])
        subject = _subject(session)
        if not sessions.check_csrf(request, form.get("csrf_token")):
            write_login_event(
                request,
                state,
                LOGOUT,
                "deny",
                subject,
                basis=failure_basis("csrf_mismatch"),
            )
            return refusal(
                "Logout refused",
                "The logout form did not come from this service's own page.",
                "Use the logout button on the session page.",
                403,
            )
        sessions.end(session)
    except OAuthStoreError:
        return store_failure_page()
    write_login_event(request, state, LOGOUT, "allow", subject)
    return redirect(SESSION_PAGE, [sessions.expired_cookie()])


@get(
    "/login/jwks.json",
    sync_to_thread=False,
    tags=["login"],
    summary="Public keys of the service's login client",
    description=(
        "The JWK Set with which the login provider verifies the service's "
        "private_key_jwt client assertions (RFC 7523)."
    ),
    media_type=MediaType.JSON,
)
def login_jwks(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = services(request.app.state)
    try:
        return state.login.client_key.public_jwks()
    except KeyringError:
        raise ProblemError(
            503,
            "login-key-missing",
            "Login client key missing",
            "The service's login client key is not set up; the operator should "
            "run 'ccus keys init' or provide keys/login-client.jwk.",
        ) from None


def _single_values(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    """Return the query parameters, or None when one is repeated."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in values:
            return None
        values[name] = value
    return values


def _subject(session: OpenSession) -> str | None:
    person = session.record.person
    return None if person is None else person.login_subject


ROUTES = [
    start_login,
    login_callback,
    show_session,
    logout,
    login_jwks,
    registration_form,
    submit_registration,
]
