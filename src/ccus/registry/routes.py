"""HTTP routes of worker records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath

from ccus.audit.log import AuditDraft, write_events
from ccus.auth.actors import WorkerActor
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.authz.loaders import load_worker_record
from ccus.errors import ProblemError, not_found, problem_responses
from ccus.registry.erasure import erase_worker, flush_erased_pages
from ccus.web import access_context, authenticate, require_id14, services

WORKER_DESCRIPTION = (
    "Returns only the field groups the caller may see; a group the caller may "
    "not see is absent from the body, and `field_groups` lists those present. "
    "A worker the caller may not read answers 404, exactly like an unknown one. "
    "Every call, allowed or denied, is written to the audit log before the "
    "response is sent."
)


@get(
    "/workers/me",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403, 404),
    summary="Read your own worker record",
    description=WORKER_DESCRIPTION,
    tags=["workers"],
    opt={"scope": "workers:read"},
    exception_handlers=SCOPE_ERRORS,
)
def read_own_record(request: Request[Any, Any, Any]) -> dict[str, Any]:
    actor = authenticate(request)
    if not isinstance(actor, WorkerActor):
        raise ProblemError(
            404,
            "not-a-worker",
            "Not found",
            "/workers/me serves workers' own tokens; use /workers/{worker_id}.",
        )
    return _read(request, actor, actor.worker_id)


@get(
    "/workers/{worker_id:str}",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403, 404),
    summary="Read a worker record",
    description=WORKER_DESCRIPTION,
    tags=["workers"],
    opt={"scope": "workers:read"},
    exception_handlers=SCOPE_ERRORS,
)
def read_worker(
    request: Request[Any, Any, Any], worker_id: FromPath[str]
) -> dict[str, Any]:
    actor = authenticate(request)
    return _read(request, actor, require_id14(worker_id, "worker_id"))


def _read(
    request: Request[Any, Any, Any], actor: Any, worker_id: str
) -> dict[str, Any]:
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        return state.read_path.read_worker(session, context, worker_id)


@get(
    "/workers/{worker_id:str}/access",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403, 404),
    summary="Explain what you may see of a worker",
    description=(
        "Lists the field groups of the worker the caller may see, each with "
        "the basis that grants it (self, employment, roster entry or "
        "consent, with its id) and, for work history, the scope (`own_sites`, "
        "`own_employment`). Returns none of the record's values. A caller "
        "who may see nothing gets 404, exactly like an unknown worker. Each "
        "call is written to the audit log."
    ),
    tags=["workers"],
    opt={"scope": "workers:read"},
    exception_handlers=SCOPE_ERRORS,
)
def explain_access(
    request: Request[Any, Any, Any], worker_id: FromPath[str]
) -> dict[str, Any]:
    actor = authenticate(request)
    require_id14(worker_id, "worker_id")
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        return state.read_path.explain(session, context, worker_id)


class ErasureResult(msgspec.Struct):
    worker_id: str
    erased_at: datetime


@post(
    "/workers/{worker_id:str}/erasure",
    sync_to_thread=False,
    status_code=200,
    responses=problem_responses(400, 401, 403, 404),
    summary="Erase a worker record",
    description=(
        "Destroys the worker's data key, so every personal field becomes "
        "unreadable at once; ids in rosters, history and the audit log stay. "
        "For the worker themself and administrators of the employer. A "
        "caller who may read the worker but not erase it gets 403; any other "
        "caller gets 404. Backups taken before keep the wrapped key until "
        "the key-encryption key that wrapped it is retired."
    ),
    tags=["workers"],
    opt={"scope": "workers:erase"},
    exception_handlers=SCOPE_ERRORS,
)
def erase_record(
    request: Request[Any, Any, Any], worker_id: FromPath[str]
) -> ErasureResult:
    actor = authenticate(request)
    require_id14(worker_id, "worker_id")
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        exists, record = load_worker_record(session, worker_id, context.now)
        visible = exists and bool(state.policies.disclosures(actor, record))
        allowed = visible and state.policies.is_allowed(actor, "erase", record)
        decision = "allow" if allowed else "deny"
        draft = AuditDraft("erase_worker", "worker", decision, worker_id=worker_id)
        if allowed:
            erase_worker(session, worker_id, context.now)
        write_events(session, context, [draft])
        session.commit()
        if allowed:
            flush_erased_pages(session)
    if not visible:
        raise not_found("worker")
    if not allowed:
        raise ProblemError(
            403,
            "forbidden",
            "Forbidden",
            "Only the worker or an administrator of the employer may erase "
            "this record.",
        )
    return ErasureResult(worker_id=worker_id, erased_at=context.now)
