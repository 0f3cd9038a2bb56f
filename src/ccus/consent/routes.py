"""HTTP routes of consents: request or offer, decide, revoke, list, receipts."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ccus.audit.log import AccessContext, AuditDraft, record_read, write_events
from ccus.auth.actors import Actor, StaffActor, WorkerActor
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.authz.facts import ConsentParties
from ccus.consent.models import Consent
from ccus.consent.service import (
    CONSENTABLE_GROUPS,
    MAX_CONSENT_DAYS,
    active_employers,
    consent_view,
    current_employer,
    latest_expiry,
)
from ccus.errors import ProblemError, not_found, problem_responses
from ccus.ids import is_id14
from ccus.registry.models import Company, Worker
from ccus.registry.mynumber import contains_individual_number
from ccus.web import (
    MAX_ROW_ID,
    PURPOSE_PATTERN,
    access_context,
    authenticate,
    require_aware,
    require_id14,
    services,
)

MAX_PAGE = 200
RECEIPT_TYPE = "consent-receipt+jwt"


class ConsentRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A request (by a company) or an offer (by a worker) of a consent.

    Company staff name ``worker_id``; the consent is for their own company.
    A worker leaves ``worker_id`` out and may name ``recipient_company_id``,
    or leave it out to offer the groups to every company.
    """

    groups: list[str]
    purpose: str
    expires_at: datetime
    worker_id: str | None = None
    recipient_company_id: str | None = None


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "reject"]


def _invalid(slug: str, title: str, detail: str) -> ProblemError:
    return ProblemError(400, slug, title, detail)


def _check_request(data: ConsentRequest, now: datetime) -> datetime:
    if not data.groups:
        raise _invalid(
            "invalid-groups",
            "Invalid groups",
            "groups is empty; name at least one of: " + ", ".join(CONSENTABLE_GROUPS),
        )
    unknown = sorted(set(data.groups) - set(CONSENTABLE_GROUPS))
    if unknown:
        raise _invalid(
            "invalid-groups",
            "Invalid groups",
            f"groups names {', '.join(unknown)}, which a consent cannot cover; "
            "use: " + ", ".join(CONSENTABLE_GROUPS),
        )
    if len(set(data.groups)) != len(data.groups):
        raise _invalid(
            "invalid-groups",
            "Invalid groups",
            "groups names a group twice; list each group once.",
        )
    if contains_individual_number(data.purpose):
        raise _invalid(
            "individual-number",
            "Individual number rejected",
            "purpose contains an individual number (My Number), which must "
            "never be stored; state the purpose without it.",
        )
    if not PURPOSE_PATTERN.fullmatch(data.purpose):
        raise _invalid(
            "invalid-purpose",
            "Invalid purpose",
            "purpose must be 1 to 40 lower-case letters, digits or underscores, "
            "starting with a letter, e.g. skills_check.",
        )
    expires = require_aware(data.expires_at, "expires_at")
    if expires <= now:
        raise _invalid(
            "invalid-expiry",
            "Invalid expiry",
            "expires_at has passed; give a moment in the future.",
        )
    if expires > latest_expiry(now):
        raise _invalid(
            "invalid-expiry",
            "Invalid expiry",
            f"expires_at is more than {MAX_CONSENT_DAYS} days ahead; "
            "ask for a shorter consent and ask again when it ends.",
        )
    return expires


def _view(
    actor: Actor, consent: Consent, now: datetime, employers: set[str]
) -> dict[str, Any]:
    """Return the consent as ``actor`` may see it.

    Only the worker and the employer see which company employs the worker:
    for the recipient, that would name the employer of any worker it
    requests.
    """
    view = consent_view(consent, now, employers)
    own_worker = isinstance(actor, WorkerActor) and actor.subject == consent.worker_id
    employer = consent.employer_company_id
    if not own_worker and (employer is None or actor.company_id != employer):
        view["employer_company_id"] = None
    return view


def _parties(consent: Consent) -> ConsentParties:
    return ConsentParties(
        consent.worker_id, consent.employer_company_id, consent.recipient_company_id
    )


def _visible_consent(
    request: Request[Any, Any, Any], session: Session, actor: Actor, consent_id: int
) -> Consent:
    state = services(request.app.state)
    if not 1 <= consent_id <= MAX_ROW_ID:
        raise not_found("consent")
    consent = session.get(Consent, consent_id)
    if consent is None or not state.policies.is_allowed(
        actor, "view_consent", _parties(consent)
    ):
        raise not_found("consent")
    return consent


def _audit(
    session: Session, context: AccessContext, action: str, consent: Consent
) -> None:
    write_events(
        session,
        context,
        [
            AuditDraft(
                action,
                "consent",
                "allow",
                worker_id=consent.worker_id,
                basis=[
                    {
                        "kind": "consent",
                        "ref": str(consent.id),
                        "groups": list(consent.groups),
                    }
                ],
            )
        ],
    )


@post(
    "/consents",
    sync_to_thread=True,
    status_code=201,
    responses=problem_responses(400, 401, 403, 404, 409),
    summary="Request or offer a consent",
    description=(
        "Company staff ask to see chosen field groups of a worker, for their "
        "own company, for a stated purpose, until an expiry at most "
        f"{MAX_CONSENT_DAYS} days ahead: send `worker_id`. A worker offers "
        "groups of their own record to one company (`recipient_company_id`) "
        "or, leaving it out, to every company; the offer counts as the "
        "worker's approval. The worker's employer when the consent is asked "
        "must approve too; nothing is disclosed before both have approved. "
        "The caller's own employer cannot be the recipient, since it sees "
        "the base screen already."
    ),
    tags=["consents"],
    opt={"scope": "consents:write"},
    exception_handlers=SCOPE_ERRORS,
)
def create_consent(
    request: Request[Any, Any, Any], data: JSONBody[ConsentRequest]
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    expires = _check_request(data, context.now)
    with state.session() as session:
        if isinstance(actor, StaffActor) and actor.company_id is not None:
            if data.worker_id is None:
                raise _invalid(
                    "missing-worker",
                    "Worker missing",
                    "Company staff must name worker_id, the worker whose groups "
                    "the company asks to see.",
                )
            if data.recipient_company_id not in (None, actor.company_id):
                raise _invalid(
                    "invalid-recipient",
                    "Invalid recipient",
                    "Company staff ask for their own company only; leave "
                    "recipient_company_id out.",
                )
            worker_id = require_id14(data.worker_id, "worker_id")
            recipient: str | None = actor.company_id
            worker_decision = None
        elif isinstance(actor, WorkerActor):
            if data.worker_id not in (None, actor.worker_id):
                raise _invalid(
                    "invalid-worker",
                    "Invalid worker",
                    "A worker offers groups of their own record only; leave "
                    "worker_id out.",
                )
            worker_id = actor.worker_id
            recipient = data.recipient_company_id
            if recipient is not None and (
                not is_id14(recipient) or session.get(Company, recipient) is None
            ):
                raise not_found("company")
            worker_decision = "approved"
        else:
            raise ProblemError(
                403,
                "forbidden",
                "Forbidden",
                "Only company staff and workers take part in consents.",
            )
        worker = session.get(Worker, worker_id)
        if worker is None or worker.erased_at is not None:
            raise not_found("worker")
        employer = current_employer(session, worker_id, context.now)
        if recipient is not None and recipient in active_employers(
            session, worker_id, context.now
        ):
            raise ProblemError(
                409,
                "recipient-is-employer",
                "Recipient employs the worker",
                "The recipient company employs this worker and sees its base "
                "screen already; no consent is needed.",
            )
        consent = Consent(
            worker_id=worker_id,
            employer_company_id=employer,
            recipient_company_id=recipient,
            groups=[g for g in CONSENTABLE_GROUPS if g in data.groups],
            purpose=data.purpose,
            expires_at=expires,
            requested_at=context.now,
            requested_by_kind=actor.kind,
            requested_by=actor.subject,
            worker_decision=worker_decision,
            worker_decided_at=context.now if worker_decision else None,
        )
        session.add(consent)
        session.flush()
        _audit(session, context, "request_consent", consent)
        session.commit()
        employers = active_employers(session, worker_id, context.now)
        return _view(actor, consent, context.now, employers)


@get(
    "/consents",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403),
    summary="List the consents about you",
    description=(
        "A worker lists the consents about their record. Company staff list "
        "the consents that name their company as recipient, and, for "
        "administrators and clerks, those their company must approve as the "
        "employer. Ordered by consent id; pass `next_cursor` as `after`."
    ),
    tags=["consents"],
    opt={"scope": "consents:read"},
    exception_handlers=SCOPE_ERRORS,
)
def list_consents(
    request: Request[Any, Any, Any],
    after: Annotated[
        int, QueryParameter(ge=0, le=MAX_ROW_ID, description="Consent id to list after")
    ] = 0,
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description="Page size")
    ] = 50,
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    query = select(Consent).where(Consent.id > after)
    if isinstance(actor, WorkerActor):
        query = query.where(Consent.worker_id == actor.worker_id)
    elif isinstance(actor, StaffActor) and actor.company_id is not None:
        sides = [Consent.recipient_company_id == actor.company_id]
        if set(actor.roles) & {"administrator", "clerk"}:
            sides.append(Consent.employer_company_id == actor.company_id)
        query = query.where(or_(*sides))
    else:
        return {"items": [], "next_cursor": None}
    with state.session() as session:
        rows = session.scalars(query.order_by(Consent.id).limit(limit + 1)).all()
        page, more = rows[:limit], len(rows) > limit
        items = []
        for consent in page:
            # The SQL filter above mirrors the policy, and each row is checked too.
            if not state.policies.is_allowed(actor, "view_consent", _parties(consent)):
                continue
            employers = active_employers(session, consent.worker_id, context.now)
            items.append(_view(actor, consent, context.now, employers))
    next_cursor = str(page[-1].id) if more and page else None
    return {"items": items, "next_cursor": next_cursor}


@get(
    "/consents/{consent_id:int}",
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
    summary="Read a consent",
    description="For the worker, the employer and the recipient company only.",
    tags=["consents"],
    opt={"scope": "consents:read"},
    exception_handlers=SCOPE_ERRORS,
)
def read_consent(
    request: Request[Any, Any, Any], consent_id: FromPath[int]
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        consent = _visible_consent(request, session, actor, consent_id)
        employers = active_employers(session, consent.worker_id, context.now)
        return _view(actor, consent, context.now, employers)


def _side(request: Request[Any, Any, Any], actor: Actor, consent: Consent) -> str:
    """Return which party's decision the caller gives, or raise 403."""
    policies = services(request.app.state).policies
    if not policies.is_allowed(actor, "decide_consent", _parties(consent)):
        raise ProblemError(
            403,
            "forbidden",
            "Forbidden",
            "Only the worker and an administrator of the employer decide on "
            "or revoke a consent.",
        )
    return "worker" if isinstance(actor, WorkerActor) else "employer"


@contextmanager
def _refusals_audited(
    session: Session, context: AccessContext, action: str, consent_id: int
) -> Iterator[None]:
    """Write a denied audit entry for a refused change of a consent, then re-raise.

    The entry names the consent id that was sent and, if the consent exists,
    its worker, so that attempts on other people's consents stand out.
    """
    try:
        yield
    except ProblemError:
        session.rollback()
        consent = (
            session.get(Consent, consent_id) if 1 <= consent_id <= MAX_ROW_ID else None
        )
        draft = AuditDraft(
            action,
            "consent",
            "deny",
            worker_id=consent.worker_id if consent is not None else None,
            basis=[{"kind": "consent", "ref": str(consent_id), "groups": []}],
        )
        write_events(session, context, [draft])
        session.commit()
        raise


def _still_open(consent: Consent, now: datetime) -> None:
    if consent.revoked_at is not None:
        raise ProblemError(
            409, "consent-revoked", "Consent revoked", "This consent was revoked."
        )
    if consent.expires_at <= now:
        raise ProblemError(
            409,
            "consent-expired",
            "Consent expired",
            "This consent has expired; ask for a new one.",
        )


@post(
    "/consents/{consent_id:int}/decision",
    sync_to_thread=True,
    status_code=200,
    responses=problem_responses(400, 401, 403, 404, 409),
    summary="Approve or reject a consent",
    description=(
        "The worker, or an administrator of the employer named in the "
        "consent, gives their side's decision once. Disclosure starts when "
        "both sides have approved; a rejection by either ends the consent."
    ),
    tags=["consents"],
    opt={"scope": "consents:write"},
    exception_handlers=SCOPE_ERRORS,
)
def decide_consent(
    request: Request[Any, Any, Any],
    consent_id: FromPath[int],
    data: JSONBody[Decision],
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    with (
        state.session() as session,
        _refusals_audited(session, context, f"{data.decision}_consent", consent_id),
    ):
        consent = _visible_consent(request, session, actor, consent_id)
        side = _side(request, actor, consent)
        _still_open(consent, context.now)
        decided = (
            consent.worker_decision if side == "worker" else consent.employer_decision
        )
        if decided is not None:
            raise ProblemError(
                409,
                "already-decided",
                "Already decided",
                f"The {side} already {decided} this consent; revoke it to stop "
                "a disclosure.",
            )
        value = "approved" if data.decision == "approve" else "rejected"
        if side == "worker":
            consent.worker_decision, consent.worker_decided_at = value, context.now
        else:
            consent.employer_decision = value
            consent.employer_decided_at = context.now
            consent.employer_decided_by = actor.subject
        _audit(session, context, f"{data.decision}_consent", consent)
        session.commit()
        employers = active_employers(session, consent.worker_id, context.now)
        return _view(actor, consent, context.now, employers)


@post(
    "/consents/{consent_id:int}/revocation",
    sync_to_thread=True,
    status_code=200,
    responses=problem_responses(401, 403, 404, 409),
    summary="Revoke a consent",
    description=(
        "The worker, or an administrator of the employer, revokes a consent "
        "at once: from the next request on it discloses nothing through any "
        "endpoint, whatever token the recipient holds."
    ),
    tags=["consents"],
    opt={"scope": "consents:write"},
    exception_handlers=SCOPE_ERRORS,
)
def revoke_consent(
    request: Request[Any, Any, Any], consent_id: FromPath[int]
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    with (
        state.session() as session,
        _refusals_audited(session, context, "revoke_consent", consent_id),
    ):
        consent = _visible_consent(request, session, actor, consent_id)
        side = _side(request, actor, consent)
        if consent.revoked_at is not None:
            raise ProblemError(
                409,
                "consent-revoked",
                "Consent revoked",
                "This consent was revoked already.",
            )
        consent.revoked_at, consent.revoked_by = context.now, side
        _audit(session, context, "revoke_consent", consent)
        session.commit()
        employers = active_employers(session, consent.worker_id, context.now)
        return _view(actor, consent, context.now, employers)


@get(
    "/consents/{consent_id:int}/receipt",
    sync_to_thread=True,
    responses=problem_responses(401, 403, 404),
    summary="Get a signed consent receipt",
    description=(
        "Returns the consent as it stands now, signed by the service as a "
        f"JWS (`typ` {RECEIPT_TYPE}, ES256) with the key published at "
        "/.well-known/jwks.json, for the worker, the employer and the "
        "recipient to keep. The receipt names who it was issued to."
    ),
    tags=["consents"],
    opt={"scope": "consents:read"},
    exception_handlers=SCOPE_ERRORS,
)
def consent_receipt(
    request: Request[Any, Any, Any], consent_id: FromPath[int]
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        consent = _visible_consent(request, session, actor, consent_id)
        employers = active_employers(session, consent.worker_id, context.now)
        view = _view(actor, consent, context.now, employers)
        claims = {
            "jti": secrets.token_urlsafe(16),
            "iat": int(context.now.timestamp()),
            "consent": view,
            "issued_to": {
                "kind": actor.kind,
                "subject": actor.subject,
                "company_id": actor.company_id,
            },
        }
        receipt = state.tokens.sign_document(claims, RECEIPT_TYPE)
        draft = AuditDraft(
            "consent_receipt",
            "consent",
            "allow",
            worker_id=consent.worker_id,
            basis=[{"kind": "consent", "ref": str(consent.id), "groups": []}],
        )
        record_read(session, context, [draft])
    return {"consent_id": consent_id, "receipt": receipt}


@get(
    "/consented-workers",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403),
    summary="List the workers disclosed to your company by consent",
    description=(
        "For company staff: the workers with a consent in force for the "
        "caller's company or for every company, each with only the groups "
        "its consents name. A consent that was revoked, rejected or has "
        "expired, or whose employer no longer employs the worker, lists "
        "nothing. Ordered by worker id; pass `next_cursor` as `after`. Each "
        "listed worker is written to the audit log."
    ),
    tags=["consents"],
    opt={"scope": "workers:read"},
    exception_handlers=SCOPE_ERRORS,
)
def list_consented_workers(
    request: Request[Any, Any, Any],
    after: Annotated[
        str,
        QueryParameter(pattern="^[0-9]{14}$", description="Worker id to list after"),
    ] = "00000000000000",
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description="Page size")
    ] = 50,
) -> dict[str, Any]:
    actor = authenticate(request)
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        return state.read_path.read_consented(session, context, after, limit)


ROUTES = [
    list_consented_workers,
    create_consent,
    list_consents,
    read_consent,
    decide_consent,
    revoke_consent,
    consent_receipt,
]
