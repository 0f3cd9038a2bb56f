"""HTTP route through which an entry/exit system posts card touches."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Annotated, Any

import msgspec
from litestar import Request, post
from litestar.params import FromPath, JSONBody

from ccus.auth.actors import DeviceActor
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.authz.loaders import load_site_facts
from ccus.errors import ProblemError, not_found, problem_responses
from ccus.history.touches import MAX_TOUCHES_PER_BATCH, Touch, ingest_touches
from ccus.registry.mynumber import MyNumberError, reject_individual_numbers
from ccus.sites.models import Site
from ccus.web import authenticate, require_id14, services

TOUCH_ID = re.compile(r"[!-~]{1,64}")


class TouchBatch(msgspec.Struct, forbid_unknown_fields=True):
    touches: Annotated[
        list[Touch], msgspec.Meta(min_length=1, max_length=MAX_TOUCHES_PER_BATCH)
    ]


class TouchRejection(msgspec.Struct):
    index: int
    touch_id: str
    reason: str
    detail: str


class TouchBatchResult(msgspec.Struct):
    accepted: int
    duplicates: int
    rejected: list[TouchRejection]


@post(
    "/sites/{site_id:str}/touches",
    sync_to_thread=False,
    responses=problem_responses(400, 401, 403, 404, 413),
    status_code=200,
    summary="Post a batch of card touches",
    description=(
        "For the site's own entry/exit system. Each touch is checked on its "
        "own: an unknown worker, a worker not on the roster, or a work day "
        "outside the site's accumulation period is rejected with a reason "
        "while the rest of the batch is stored. A touch id the site already "
        "stored is counted as a duplicate and not stored again, so a batch "
        "can be replayed safely. Times need a UTC offset; work days are JST."
    ),
    tags=["history"],
    opt={"scope": "touches:write"},
    exception_handlers=SCOPE_ERRORS,
)
def post_touches(
    request: Request[Any, Any, Any], site_id: FromPath[str], data: JSONBody[TouchBatch]
) -> TouchBatchResult:
    actor = authenticate(request)
    require_id14(site_id, "site_id")
    state = services(request.app.state)
    with state.session() as session:
        facts = load_site_facts(session, site_id)
        if facts is None or not state.policies.is_allowed(
            actor, "write_touches", facts
        ):
            raise not_found("site")
        assert isinstance(actor, DeviceActor)
        site = session.get(Site, site_id)
        assert site is not None
        _check_ids(data.touches)
        try:
            reject_individual_numbers(msgspec.to_builtins(data))
        except MyNumberError as error:
            raise ProblemError(
                400,
                "individual-number",
                "Individual number rejected",
                str(error),
                {"path": error.path},
            ) from None
        result = ingest_touches(
            session, site, data.touches, actor.client_id, state.clock()
        )
        session.commit()
    return TouchBatchResult(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=[TouchRejection(**asdict(item)) for item in result.rejected],
    )


def _check_ids(touches: list[Touch]) -> None:
    for index, touch in enumerate(touches):
        if not TOUCH_ID.fullmatch(touch.touch_id):
            raise ProblemError(
                400,
                "invalid-touch",
                "Invalid touch",
                f"touches[{index}].touch_id must be 1 to 64 printable ASCII "
                "characters without spaces.",
            )
        require_id14(touch.worker_id, f"touches[{index}].worker_id")
