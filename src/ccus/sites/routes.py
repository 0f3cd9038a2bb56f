"""HTTP routes of site rosters."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import FromPath, QueryParameter

from ccus.errors import problem_responses
from ccus.web import MAX_ROW_ID, access_context, authenticate, require_id14, services

MAX_PAGE = 200


@get(
    "/sites/{site_id:str}/roster",
    sync_to_thread=True,
    responses=problem_responses(400, 401, 404),
    summary="List a site's roster",
    description=(
        "Lists the roster entries the caller may see, with the personal fields "
        "of the standard roster form: a company in a live site's subcontract "
        "tree sees its own workers and those of every company below it. Any "
        "other caller, and every caller for an ended or upcoming site, gets "
        "404. Each listed worker is written to the audit log. Pages are "
        "ordered by entry id; pass `next_cursor` as `after` for the next page."
    ),
    tags=["sites"],
)
def list_roster(
    request: Request[Any, Any, Any],
    site_id: FromPath[str],
    after: Annotated[
        int, QueryParameter(ge=0, le=MAX_ROW_ID, description="Entry id to list after")
    ] = 0,
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description="Page size")
    ] = 50,
) -> dict[str, Any]:
    actor = authenticate(request)
    require_id14(site_id, "site_id")
    context = access_context(request, actor)
    state = services(request.app.state)
    with state.session() as session:
        return state.read_path.read_roster(session, context, site_id, after, limit)
