"""HTTP routes of worker records."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromPath

from ccus.auth.actors import WorkerActor
from ccus.errors import ProblemError, problem_responses
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
    sync_to_thread=False,
    responses=problem_responses(400, 401, 404),
    summary="Read your own worker record",
    description=WORKER_DESCRIPTION,
    tags=["workers"],
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
    sync_to_thread=False,
    responses=problem_responses(400, 401, 404),
    summary="Read a worker record",
    description=WORKER_DESCRIPTION,
    tags=["workers"],
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
