"""Audit entries of logins, logouts and self-registrations.

Each entry names the person by login subject (a pseudonym of the provider's
``sub``) and, when linked, by worker id, and never carries a name, birth
date or address. A refused login names its failure as ``{"kind":
"failure", "ref": reason}`` in the basis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from ccus.audit.log import AccessContext, AuditDraft, append_rows, event_rows
from ccus.auth.actors import Actor
from ccus.login.sessions import Person
from ccus.services import Services

LOGIN = "login"
LOGOUT = "logout"
REGISTER_WORKER = "register_worker"
BROWSER_CLIENT = "browser"
# The actor id of a refused login, whose person is not known.
ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class LoginActor(Actor):
    """A person in a browser, named by login subject or as anonymous.

    It is the actor of audit entries only, and no policy decides for it.
    """

    kind = "login"


def login_context(
    request: Request[Any, Any, Any], state: Services, subject: str | None
) -> AccessContext:
    """Build the audit context of a browser request by ``subject``."""
    return AccessContext(
        actor=LoginActor(subject=subject or ANONYMOUS, client_id=BROWSER_CLIENT),
        request_id=str(request.scope.get("state", {}).get("request_id", "")),
        now=state.clock(),
        chain=state.audit_chain,
    )


def person_basis(person: Person) -> list[dict[str, Any]]:
    """Return the staff rows a login acts for, as audit basis items."""
    return [{"kind": "staff", "ref": member.staff_id} for member in person.staff]


def failure_basis(reason: str) -> list[dict[str, Any]]:
    return [{"kind": "failure", "ref": reason}]


def write_login_event(
    request: Request[Any, Any, Any],
    state: Services,
    action: str,
    decision: str,
    subject: str | None = None,
    worker_id: str | None = None,
    basis: list[dict[str, Any]] | None = None,
) -> None:
    """Commit one audit entry before the response is sent."""
    context = login_context(request, state, subject)
    draft = AuditDraft(
        action, "browser_session", decision, worker_id=worker_id, basis=basis or []
    )
    rows = event_rows(context, [draft])
    with state.session() as session:
        append_rows(session, state.audit_chain, state.detectors, rows, context.now)
        session.commit()
