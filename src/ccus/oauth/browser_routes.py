"""Browser routes of the authorization server: the consent page and the list
of applications a person authorised.

A person reaches ``/oauth/authorize`` from contractor software. Without a
login, the page sends them to ``/login`` and back. The consent page names the
client and each scope, and asks which of the person's roles the client may
act as. The answer is a form post bound to the browser session by a CSRF
token; approving stores a grant and sends a single-use code to the client's
registered redirect URI.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from urllib.parse import parse_qsl, quote

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import RawBody
from litestar.response import Redirect

from ccus.audit.log import AccessContext, append_rows, event_rows
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
from ccus.oauth.stores import OAuthStoreError
from ccus.services import Services
from ccus.web import services

# The client id recorded for what a person does in the browser pages.
BROWSER_CLIENT = "ccus-browser"
ACCOUNT_PATH = "/account/clients"
MAX_FORM_BYTES = 8192


def _person_actors(person: Any) -> list[tuple[GrantedActor, ActorOption, Actor]]:
    """The actors a logged-in person may act as, with labels and audit actors."""
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
    """The person's actors whose kind may hold at least one requested scope.

    A grant for an actor holds the requested scopes its kind may hold; a
    worker, say, is never granted a scope only staff can hold.
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


def _write(
    request: Request[Any, Any, Any], state: Services, events: list[OAuthEvent]
) -> None:
    """Commit audit entries before the response is sent."""
    request_id = str(request.scope.get("state", {}).get("request_id", ""))
    now = state.clock()
    rows = []
    for event in events:
        context = AccessContext(
            actor=event.actor, request_id=request_id, now=now, chain=state.audit_chain
        )
        rows.extend(event_rows(context, [event.draft()]))
    with state.session() as session:
        append_rows(session, state.audit_chain, state.detectors, rows, now)
        session.commit()


def _refusal(
    request: Request[Any, Any, Any],
    state: Services,
    error: AuthorizationPageError,
    client_id: str | None,
    status: int = 400,
) -> Response[Any]:
    _write(
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
    _write(
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
    csrf = state.browser_sessions.csrf_token(request)
    return consent_page(
        target.client.name,
        target.client.client_id,
        _descriptions(authorization.scopes),
        [option for _, option, _ in options],
        authorization.form_fields(),
        csrf or "",
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
    """Record the person's answer and send the client a code or an error."""
    return await to_thread.run_sync(_authorisation_decision, request, body)


def _authorisation_decision(
    request: Request[Any, Any, Any], body: bytes
) -> Response[Any]:
    state = services(request.app.state)
    try:
        form = _read_form(body)
        target = validate_target(form, _find_client(state))
    except AuthorizationPageError as error:
        return _refusal(request, state, error, None)
    sessions = state.browser_sessions
    person = sessions.person(request)
    if person is None or not sessions.check_csrf(request, form.get("csrf_token")):
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
        authorization = validate_request(form, target)
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
        return error_page(
            "Service unavailable",
            "The authorization code could not be stored. Try again in a minute.",
            503,
        )
    _write(
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
    rows = [
        GrantRow(
            grant_id=view.grant_id,
            client_name=view.client_name,
            client_id=view.client_id,
            acting_as=labels[view.actor.key],
            scopes=view.scopes,
            since=view.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
        for view in views
    ]
    return grants_page(rows, state.browser_sessions.csrf_token(request) or "")


@post(ACCOUNT_PATH + "/revocation", include_in_schema=False, status_code=303)
async def revoke_authorised_client(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[Any]:
    """Revoke one of the person's grants with every token issued under it."""
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
        jtis = revoke_grant(session, grant, PERSON_REVOKED, now)
        client_id = grant.client_id
        grant_id = grant.grant_id
        session.commit()
    state.oauth.revoke_ids(jtis)
    _write(
        request,
        state,
        [
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
        ],
    )
    return Redirect(ACCOUNT_PATH, status_code=303)
