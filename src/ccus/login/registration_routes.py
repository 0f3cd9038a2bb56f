"""Routes of self-registration: the form, and the registration it submits.

Both handlers share a path, so they are coroutines that run their work in a
worker thread themselves; ``ccus.idp.routes`` explains why.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import RawBody

from ccus.audit.log import AuditDraft, write_events
from ccus.login.audit import (
    REGISTER_WORKER,
    failure_basis,
    login_context,
    write_login_event,
)
from ccus.login.pages import read_form, redirect, refusal, store_failure_page
from ccus.login.registration import (
    FormError,
    SelfRegistrationForm,
    parse_form,
    register_self,
)
from ccus.login.session_pages import REGISTRATION_PAGE, SESSION_PAGE, registration_page
from ccus.login.sessions import OpenSession
from ccus.oauth.stores import OAuthStoreError
from ccus.registry.mynumber import MyNumberError
from ccus.registry.registration import DuplicateWorker
from ccus.services import Services
from ccus.web import services

logger = logging.getLogger(__name__)


def _registering(
    state: Services, request: Request[Any, Any, Any]
) -> OpenSession | Response[str]:
    """Return the session that may register, or the page to show instead."""
    session = state.browser_sessions.load(request)
    if session is None or session.record.person is None:
        return redirect(f"/login?return_to={REGISTRATION_PAGE}")
    if session.record.person.worker_id is not None or session.record.identity is None:
        return redirect(SESSION_PAGE)
    return session


@get(REGISTRATION_PAGE, include_in_schema=False)
async def registration_form(request: Request[Any, Any, Any]) -> Response[str]:
    """Show the verified claims and the form for the rest of the record."""
    return await to_thread.run_sync(_registration_form, request)


def _registration_form(request: Request[Any, Any, Any]) -> Response[str]:
    state = services(request.app.state)
    try:
        found = _registering(state, request)
    except OAuthStoreError:
        return store_failure_page()
    if isinstance(found, Response):
        return found
    assert found.record.identity is not None
    return registration_page(found.record.identity, found.record.csrf)


@post(REGISTRATION_PAGE, include_in_schema=False, status_code=303)
async def submit_registration(
    request: Request[Any, Any, Any], body: RawBody
) -> Response[str]:
    """Register the logged-in person as a worker and link the session to them."""
    return await to_thread.run_sync(_submit_registration, request, body)


def _submit_registration(request: Request[Any, Any, Any], body: bytes) -> Response[str]:
    state = services(request.app.state)
    try:
        found = _registering(state, request)
    except OAuthStoreError:
        return store_failure_page()
    if isinstance(found, Response):
        return found
    identity = found.record.identity
    person = found.record.person
    assert identity is not None and person is not None

    fields = read_form(body)
    if fields is None or not state.browser_sessions.check_csrf(
        request, fields.get("csrf_token")
    ):
        return _refused(request, person.login_subject, "csrf_mismatch")
    try:
        form = parse_form(fields)
        worker_id = _register(request, state, person.login_subject, identity, form)
    except FormError as error:
        return registration_page(identity, found.record.csrf, str(error), 422)
    except MyNumberError:
        return registration_page(
            identity,
            found.record.csrf,
            "A field contains an individual number (My Number), which is never "
            "stored; remove it.",
            422,
        )
    except DuplicateWorker:
        return _refused(request, person.login_subject, "duplicate_worker")

    found.record.person = replace(person, worker_id=worker_id)
    found.record.identity = None
    try:
        state.browser_sessions.save(found)
    except OAuthStoreError:
        return store_failure_page()
    return redirect(SESSION_PAGE)


def _register(
    request: Request[Any, Any, Any],
    state: Services,
    login_subject: str,
    identity: dict[str, Any],
    form: SelfRegistrationForm,
) -> str:
    """Store the worker and its audit entry in one transaction; return its id."""
    context = login_context(request, state, login_subject)
    with state.session() as session:
        worker_id = register_self(
            session, state.vault, state.indexer, identity, form, context.now
        )
        draft = AuditDraft(
            REGISTER_WORKER,
            "worker",
            "allow",
            worker_id=worker_id,
            basis=[{"kind": "national_id_login", "ref": login_subject}],
        )
        write_events(session, context, [draft])
        session.commit()
    return worker_id


REFUSALS = {
    "csrf_mismatch": (
        403,
        "Registration refused",
        "The registration form did not come from this service's own page.",
        "Open the registration page again and submit it from there.",
    ),
    "duplicate_worker": (
        409,
        "Already registered",
        "A worker with the same name and birth date is already registered.",
        "Ask your employer to check that your registered name is written as on "
        "your card; your next login then links to that record.",
    ),
}


def _refused(
    request: Request[Any, Any, Any], login_subject: str, reason: str
) -> Response[str]:
    """Log and audit a refused registration, and return the page that explains it."""
    logger.info("registration refused", extra={"reason": reason})
    write_login_event(
        request,
        services(request.app.state),
        REGISTER_WORKER,
        "deny",
        login_subject,
        basis=failure_basis(reason),
    )
    status, title, problem, fix = REFUSALS[reason]
    return refusal(title, problem, fix, status)
