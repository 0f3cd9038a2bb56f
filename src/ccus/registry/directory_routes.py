"""HTTP routes through which an employer registers and finds its workers."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.params import JSONBody, QueryParameter
from sqlalchemy import select

from ccus.audit.log import AuditDraft, record_read, write_events
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.authz.facts import WorkerDirectory
from ccus.authz.loaders import active_employment_filter
from ccus.clock import jst_date
from ccus.errors import ProblemError, problem_responses
from ccus.registry.models import Employment, Worker
from ccus.registry.mynumber import MyNumberError
from ccus.registry.registration import (
    DuplicateWorker,
    WorkerRegistration,
    register_worker,
)
from ccus.registry.views import to_builtins
from ccus.web import access_context, authenticate, services

MAX_NAME_LENGTH = 100
MAX_PAGE = 200


class RegisteredWorker(msgspec.Struct):
    worker_id: str


class WorkerMatch(msgspec.Struct):
    worker_id: str
    identity: dict[str, Any]


class WorkerMatches(msgspec.Struct):
    items: list[WorkerMatch]
    next_cursor: str | None = None


def _directory(request: Request[Any, Any, Any], action: str) -> Any:
    actor = authenticate(request)
    state = services(request.app.state)
    directory = WorkerDirectory(company_id=actor.company_id or "")
    if actor.company_id is None or not state.policies.is_allowed(
        actor, action, directory
    ):
        raise ProblemError(
            403,
            "forbidden",
            "Forbidden",
            "Only a company's administrators and clerks may register or search "
            "its workers.",
        )
    return actor


@post(
    "/workers",
    sync_to_thread=False,
    status_code=201,
    responses=problem_responses(400, 401, 403, 409, 413),
    summary="Register a worker",
    description=(
        "For a company's administrators and clerks: registers a new worker "
        "employed by the caller's company from the hire date. Every personal "
        "field is encrypted before it is stored. A value that contains an "
        "individual number (My Number) anywhere is rejected and not kept. A "
        "worker with the same katakana name and birth date gets 409."
    ),
    tags=["workers"],
    opt={"scope": "workers:write"},
    exception_handlers=SCOPE_ERRORS,
)
def register(
    request: Request[Any, Any, Any], data: JSONBody[WorkerRegistration]
) -> RegisteredWorker:
    actor = _directory(request, "register_worker")
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        try:
            worker_id = register_worker(
                session, state.vault, state.indexer, actor.company_id, data, context.now
            )
        except MyNumberError as error:
            raise ProblemError(
                400,
                "individual-number",
                "Individual number rejected",
                str(error),
                {"path": error.path},
            ) from None
        except DuplicateWorker:
            raise ProblemError(
                409,
                "duplicate-worker",
                "Worker already registered",
                "A worker with the same katakana name and birth date is already "
                "registered; ask the worker for their worker id.",
            ) from None
        draft = AuditDraft(
            "register_worker",
            "worker",
            "allow",
            worker_id=worker_id,
            basis=[{"kind": "employment", "ref": actor.company_id, "groups": []}],
        )
        write_events(session, context, [draft])
        session.commit()
    return RegisteredWorker(worker_id=worker_id)


@get(
    "/workers",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 403),
    summary="List or find your company's workers",
    description=(
        "For a company's administrators and clerks: the caller's own workers "
        "(active employment), with their identity group. Without `name`, "
        "lists them all in pages ordered by worker id; pass `next_cursor` as "
        "`after`. With `name`, returns those whose kanji or katakana name "
        "equals it, compared after folding hiragana and katakana, widths "
        "and spaces. The lookup uses keyed blind indexes, so no name is "
        "stored in plaintext. Each listed worker is written to the audit log."
    ),
    tags=["workers"],
    opt={"scope": "workers:read"},
    exception_handlers=SCOPE_ERRORS,
)
def search(
    request: Request[Any, Any, Any],
    name: Annotated[
        str | None,
        QueryParameter(min_length=1, max_length=MAX_NAME_LENGTH, description="Name"),
    ] = None,
    after: Annotated[
        str,
        QueryParameter(pattern="^[0-9]{14}$", description="Worker id to list after"),
    ] = "00000000000000",
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description="Page size")
    ] = 50,
) -> WorkerMatches:
    actor = _directory(request, "search_workers")
    context = access_context(request, actor)
    state = services(request.app.state)
    today = jst_date(context.now)
    employees = select(Employment.worker_id).where(
        Employment.company_id == actor.company_id, active_employment_filter(today)
    )
    next_cursor = None
    with state.session() as session:
        if name is None:
            ids = session.scalars(
                select(Worker.worker_id)
                .where(
                    Worker.worker_id.in_(employees),
                    Worker.worker_id > after,
                    Worker.erased_at.is_(None),
                )
                .order_by(Worker.worker_id)
                .limit(limit + 1)
            ).all()
            page = list(ids[:limit])
            matches = state.indexer.identities(session, page)
            next_cursor = page[-1] if len(ids) > limit else None
        else:
            try:
                matches = state.indexer.search_names(session, name, employees)
            except ValueError:
                matches = []
        drafts = [
            AuditDraft(
                "list_workers" if name is None else "search_workers",
                "worker",
                "allow",
                worker_id=worker_id,
                field_groups=["identity"],
                basis=[
                    {
                        "kind": "employment",
                        "ref": actor.company_id,
                        "groups": ["identity"],
                    }
                ],
            )
            for worker_id, _ in matches
        ]
        record_read(session, context, drafts)
    return WorkerMatches(
        items=[
            WorkerMatch(worker_id=worker_id, identity=to_builtins(identity))
            for worker_id, identity in matches
        ],
        next_cursor=next_cursor,
    )
