"""Browser routes of the authorization server: the consent page and the list
of applications a person authorised.

A person reaches ``/oauth/authorize`` from contractor software. Without a
login, the page sends them to ``/login`` and back. The consent page names the
client and each scope, and lets the person choose the role the client may
act as. The decision is a form post bound to the browser session by a CSRF
token. Approving stores a grant and sends a single-use code to the client's
registered redirect URI.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC
from typing import Any
from urllib.parse import parse_qsl, quote

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import RawBody
from litestar.response import Redirect

from ccus.auth.actors import Actor, StaffActor, WorkerActor
from ccus.auth.scopes import SCOPES, scopes_for_kind
from ccus.oauth.audit import AUTHORIZE, REVOKE_GRANT, OAuthEvent
from ccus.oauth.authorize import (
    AuthorizationPageError,
    AuthorizationRedirectError,
    AuthorizationRequest,
    ValidatedTarget,
    error_location,
    parse_parameters,
    parse_query,
    success_location,
    validate_request,
    validate_target,
)
from ccus.oauth.codes import CODE_LIFETIME_SECONDS, AuthorizationCode
from ccus.oauth.grants import (
    PERSON_REVOKED,
    STAFF,
    WORKER,
    GrantedActor,
    active_grants,
    create_grant,
    find_grant,
    revoke_grant,
)
from ccus.oauth.pages import (
    ActorOption,
    GrantRow,
    consent_page,
    error_page,
    grants_page,
)
from ccus.oauth.routes import commit_events
from ccus.oauth.stores import OAuthStoreError
from ccus.services import Services
from ccus.web import services

# The client id recorded for what a person does in the browser pages.
BROWSER_CLIENT = "ccus-browser"
ACCOUNT_PATH = "/account/clients"
MAX_FORM_BYTES = 8192
# A consent page may be submitted once, within 10 minutes.
CONSENT_PAGE_SECONDS = 600
MAX_CONSENT_ID_LENGTH = 64


def _person_actors(person: Any) -> list[tuple[GrantedActor, ActorOption, Actor]]:
    """Return the actors a logged-in person may act as, with labels and audit actors."""
    actors: list[tuple[GrantedActor, ActorOption, Actor]] = []
    if person.worker_id is not None:
        granted = GrantedActor(WORKER, person.worker_id)
        actors.append(
            (
                granted,
                ActorOption(granted.key, "yourself, as a worker"),
                WorkerActor(subject=person.worker_id, client_id=BROWSER_CLIENT),
            )
        )
    for member in person.staff:
        granted = GrantedActor(STAFF, member.staff_id)
        roles = ", ".join(member.roles) or "no roles"
        actors.append(
            (
                granted,
                ActorOption(granted.key, f"staff of {member.company_name} ({roles})"),
                StaffActor(
                    subject=member.staff_id,
                    client_id=BROWSER_CLIENT,
                    company_id=member.company_id,
                    roles=tuple(member.roles),
                ),
            )
        )
    return actors


def _eligible(
    person: Any, scopes: tuple[str, ...]
) -> list[tuple[GrantedActor, ActorOption, Actor]]:
    """Return the person's actors whose kind may hold a requested scope.

    A grant for an actor contains the requested scopes its kind may hold, so
    a worker is never granted a scope only staff can hold.
    """
    return [
        entry
        for entry in _person_actors(person)
        if set(scopes) & scopes_for_kind(entry[0].kind)
    ]


def _granted_scopes(granted: GrantedActor, scopes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(scopes) & scopes_for_kind(granted.kind)))


def _descriptions(scopes: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(name, SCOPES[name].description) for name in scopes]


def _refusal(
    request: Request[Any, Any, Any],
    state: Services,
    error: AuthorizationPageError,
    client_id: str | None,
    status: int = 400,
) -> Response[Any]:
    commit_events(
        request,
        state,
        [
            OAuthEvent(
                AUTHORIZE,
                "deny",
                client_id,
                [{"kind": "failure", "ref": error.reason}],
            )
        ],
    )
    return error_page(error.title, error.detail, status)


def _redirect_error(
    request: Request[Any, Any, Any],
    state: Services,
    error: AuthorizationRedirectError,
    person: Actor | None = None,
) -> Response[Any]:
    commit_events(
        request,
        state,
        [
            OAuthEvent(
                AUTHORIZE,
                "deny",
                error.target.client.client_id,
                [{"kind": "failure", "ref": error.error}],
                person=person,
            )
        ],
    )
    return Redirect(error_location(error, state.oauth.issuer), status_code=303)


def _find_client(state: Services) -> Any:
    def find(client_id: str) -> Any:
        return state.oauth.find_registered(client_id)

    return find


# The handlers are coroutines that run their work in a worker thread: with
# sync_to_thread, Litestar 2.25 wraps a handler twice when a second handler
# joins its path, and the outer wrapper then returns an unawaited coroutine.
@get("/oauth/authorize", include_in_schema=False)
async def authorisation_page(request: Request[Any, Any, Any]) -> Response[Any]:
    """Show the consent page, or send the person to log in first."""
    return await to_thread.run_sync(_authorisation_page, request)


def _authorisation_page(request: Request[Any, Any, Any]) -> Response[Any]:
    state = services(request.app.state)
    limited = _rate_limited(request, state)
    if limited is not None:
        return limited
    query = request.scope.get("query_string", b"").decode("latin-1")
    try:
        params = parse_query(query)
        target = validate_target(params, _find_client(state))
    except AuthorizationPageError as error:
        return _refusal(request, state, error, None)
    try:
        authorization = validate_request(params, target)
    except AuthorizationRedirectError as error:
        return _redirect_error(request, state, error)
    person = state.browser_sessions.person(request)
    if person is None:
        return_to = "/oauth/authorize?" + query
        return Redirect(
            f"/login?return_to={quote(return_to, safe='')}", status_code=303
        )
    options = _eligible(person, authorization.scopes)
    if not options:
        return _redirect_error(request, state, _no_role(target))
    csrf = state.browser_sessions.csrf_token(request) or ""
    try:
        consent_id = _remember_request(state, authorization.form_fields(), csrf)
    except OAuthStoreError:
        return _store_failure()
    return consent_page(
        target.client.name,
        target.client.client_id,
        _descriptions(authorization.scopes),
        [option for _, option, _ in options],
        {"consent_id": consent_id},
        csrf,
    )


def _remember_request(state: Services, params: dict[str, str], csrf: str) -> str:
    """Keep the request a consent page shows, and return the id the form sends.

    The submitted form is then read against what the person saw, so editing the
    form cannot widen the scope or change the redirect URI.
    """
    consent_id = secrets.token_urlsafe(32)
    value = json.dumps({"params": params, "csrf": csrf}).encode("utf-8")
    state.values.put(_consent_key(consent_id), value, CONSENT_PAGE_SECONDS)
    return consent_id


def _recall_request(
    state: Services, consent_id: str | None
) -> tuple[dict[str, str], str] | None:
    """Take the request of a consent page once, or None if it expired."""
    if not consent_id or len(consent_id) > MAX_CONSENT_ID_LENGTH:
        return None
    value = state.values.take(_consent_key(consent_id))
    if value is None:
        return None
    stored = json.loads(value)
    return dict(stored["params"]), str(stored["csrf"])


def _consent_key(consent_id: str) -> str:
    digest = hashlib.sha256(consent_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"ccus:oauth:consent:{digest}"


def _rate_limited(
    request: Request[Any, Any, Any], state: Services
) -> Response[Any] | None:
    """Count the request against its address; past the limit, a 429 page.

    Every refused authorization request is an audit entry, so the limit also
    bounds how fast anyone can add entries without logging in.
    """
    limiter = state.oauth.page_limiter
    if limiter is None:
        return None
    address = request.client.host if request.client else ""
    try:
        wait = limiter.allow(f"address:{address}", state.clock().timestamp())
    except OAuthStoreError:
        return None
    if wait is None:
        return None
    response = error_page(
        "Too many requests",
        f"Too many authorization requests came from your address. Wait {wait} "
        "seconds and try again.",
        429,
    )
    response.headers["Retry-After"] = str(wait)
    return response


def _store_failure() -> Response[Any]:
    return error_page(
        "Service unavailable",
        "The request could not be stored. Try again in a minute.",
        503,
    )


def _no_role(target: ValidatedTarget) -> AuthorizationRedirectError:
    return AuthorizationRedirectError(
        "access_denied",
        "the person holds no role that the requested scopes apply to",
        target,
    )


def _read_form(body: bytes) -> dict[str, str]:
    if len(body) > MAX_FORM_BYTES:
        raise AuthorizationPageError(
            "Invalid form", "The form is too large.", "form_too_large"
        )
    try:
        pairs = parse_qsl(body.decode("utf-8"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise AuthorizationPageError(
            "Invalid form",
            "The form is not valid UTF-8 form encoding.",
            "malformed_form",
        ) from None
    return parse_parameters(pairs)


@post("/oauth/authorize", include_in_schema=False, status_code=303)
async def authorisation_decision(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[Any]:
    """Record the person's decision and send the client a code or an error."""
    return await to_thread.run_sync(_authorisation_decision, request, body)


def _authorisation_decision(
    request: Request[Any, Any, Any], body: bytes
) -> Response[Any]:
    state = services(request.app.state)
    limited = _rate_limited(request, state)
    if limited is not None:
        return limited
    try:
        form = _read_form(body)
        stored = _recall_request(state, form.get("consent_id"))
        if stored is None:
            raise AuthorizationPageError(
                "Consent page expired",
                "This consent page was answered already or is older than "
                f"{CONSENT_PAGE_SECONDS // 60} minutes. Go back to the "
                "application and start again.",
                "consent_expired",
            )
        params, page_csrf = stored
        target = validate_target(params, _find_client(state))
    except AuthorizationPageError as error:
        return _refusal(request, state, error, None)
    except OAuthStoreError:
        return _store_failure()
    sessions = state.browser_sessions
    person = sessions.person(request)
    sent = form.get("csrf_token") or ""
    if (
        person is None
        or not sessions.check_csrf(request, sent)
        or not hmac.compare_digest(page_csrf, sent)
    ):
        return _refusal(
            request,
            state,
            AuthorizationPageError(
                "Request not accepted",
                "This answer did not come from the consent page of your current "
                "login. Go back to the application and start again.",
                "csrf_mismatch",
            ),
            target.client.client_id,
            status=403,
        )
    try:
        authorization = validate_request(params, target)
    except AuthorizationRedirectError as error:
        return _redirect_error(request, state, error)
    options = {
        granted.key: (granted, actor)
        for granted, _, actor in _eligible(person, authorization.scopes)
    }
    chosen = options.get(form.get("actor", ""))
    if form.get("decision") != "allow" or chosen is None:
        denied = AuthorizationRedirectError(
            "access_denied", "the person did not allow the request", target
        )
        audit_actor = (
            chosen[1] if chosen else next(iter(options.values()), (None, None))[1]
        )
        return _redirect_error(request, state, denied, person=audit_actor)
    return _approve(request, state, authorization, person, *chosen)


def _approve(
    request: Request[Any, Any, Any],
    state: Services,
    authorization: AuthorizationRequest,
    person: Any,
    granted: GrantedActor,
    actor: Actor,
) -> Response[Any]:
    now = state.clock()
    scopes = _granted_scopes(granted, authorization.scopes)
    with state.session() as session:
        grant = create_grant(
            session,
            authorization.client.client_id,
            granted,
            person.login_subject,
            scopes,
            now,
        )
        grant_id = grant.grant_id
        session.commit()
    code = AuthorizationCode(
        client_id=authorization.client.client_id,
        redirect_uri=authorization.target.redirect_uri,
        scope=" ".join(scopes),
        code_challenge=authorization.code_challenge,
        grant_id=grant_id,
        expires_at=int(now.timestamp()) + CODE_LIFETIME_SECONDS,
    )
    try:
        value = state.oauth.codes.issue(code)
    except OAuthStoreError:
        return _store_failure()
    commit_events(
        request,
        state,
        [
            OAuthEvent(
                AUTHORIZE,
                "allow",
                authorization.client.client_id,
                [
                    {"kind": "grant", "ref": grant_id},
                    {"kind": "scope", "ref": code.scope},
                ],
                person=actor,
            )
        ],
    )
    return Redirect(
        success_location(authorization.target, value, state.oauth.issuer),
        status_code=303,
    )


@get(ACCOUNT_PATH, include_in_schema=False)
async def authorised_clients(request: Request[Any, Any, Any]) -> Response[Any]:
    """List the applications the logged-in person authorised."""
    return await to_thread.run_sync(_authorised_clients, request)


def _authorised_clients(request: Request[Any, Any, Any]) -> Response[Any]:
    state = services(request.app.state)
    person = state.browser_sessions.person(request)
    if person is None:
        return Redirect(
            f"/login?return_to={quote(ACCOUNT_PATH, safe='')}", status_code=303
        )
    actors = _person_actors(person)
    labels = {granted.key: option.label for granted, option, _ in actors}
    with state.session() as session:
        views = active_grants(session, tuple(granted for granted, _, _ in actors))
    # One row per application and role, however often the person approved
    # it; revoking the row ends every approval in it.
    rows: dict[tuple[str, str], GrantRow] = {}
    for view in views:
        key = (view.client_id, view.actor.key)
        since = view.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        row = rows.get(key)
        scopes = tuple(sorted(set(view.scopes) | set(row.scopes if row else ())))
        rows[key] = GrantRow(
            grant_id=row.grant_id if row else view.grant_id,
            client_name=view.client_name,
            client_id=view.client_id,
            acting_as=labels[view.actor.key],
            scopes=scopes,
            since=since,
        )
    csrf = state.browser_sessions.csrf_token(request) or ""
    return grants_page(list(rows.values()), csrf)


@post(ACCOUNT_PATH + "/revocation", include_in_schema=False, status_code=303)
async def revoke_authorised_client(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[Any]:
    """Revoke the person's approvals of one application in one role, with tokens."""
    return await to_thread.run_sync(_revoke_authorised_client, request, body)


def _revoke_authorised_client(
    request: Request[Any, Any, Any], body: bytes
) -> Response[Any]:
    state = services(request.app.state)
    sessions = state.browser_sessions
    try:
        form = _read_form(body)
    except AuthorizationPageError as error:
        return error_page(error.title, error.detail)
    person = sessions.person(request)
    if person is None or not sessions.check_csrf(request, form.get("csrf_token")):
        return error_page(
            "Request not accepted",
            "This request did not come from your list of authorised applications. "
            "Open the list and try again.",
            403,
        )
    actors = {granted.key: actor for granted, _, actor in _person_actors(person)}
    now = state.clock()
    with state.session() as session:
        grant = find_grant(session, form.get("grant_id", ""))
        key = f"{grant.actor_kind}:{grant.actor_id}" if grant else ""
        if grant is None or key not in actors or grant.revoked_at is not None:
            return error_page(
                "Not found",
                "No such authorised application is on your list. Open the list "
                "and try again.",
                404,
            )
        client_id = grant.client_id
        granted = GrantedActor(grant.actor_kind, grant.actor_id)
        ended = [
            view.grant_id
            for view in active_grants(session, (granted,))
            if view.client_id == client_id
        ]
        jtis: list[tuple[str, int]] = []
        for grant_id in ended:
            same = find_grant(session, grant_id)
            if same is not None:
                jtis.extend(revoke_grant(session, same, PERSON_REVOKED, now))
        session.commit()
    state.oauth.revoke_ids(tuple(jtis))
    events = [
        OAuthEvent(
            REVOKE_GRANT,
            "allow",
            client_id,
            [
                {"kind": "grant", "ref": grant_id},
                {"kind": "reason", "ref": PERSON_REVOKED},
            ],
            person=actors[key],
        )
        for grant_id in ended
    ]
    commit_events(request, state, events)
    return Redirect(ACCOUNT_PATH, status_code=303)
