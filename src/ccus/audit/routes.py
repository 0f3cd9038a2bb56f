"""HTTP route through which regulators search the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, get
from litestar.params import FromQuery, QueryParameter
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.authz.facts import AuditLog
from ccus.errors import not_found, problem_responses
from ccus.web import MAX_ROW_ID, authenticate, require_aware, require_id14, services

MAX_PAGE = 500


class AuditEventView(msgspec.Struct):
    id: int
    occurred_at: datetime
    request_id: str
    actor_kind: str
    actor_id: str
    actor_company_id: str | None
    client_id: str
    action: str
    resource: str
    worker_id: str | None
    site_id: str | None
    field_groups: list[str]
    basis: list[dict[str, Any]]
    decision: str
    purpose: str | None


class AuditEventPage(msgspec.Struct):
    items: list[AuditEventView]
    next_cursor: str | None


@get(
    "/audit/events",
    sync_to_thread=False,
    responses=problem_responses(400, 401, 404),
    summary="Search the audit log",
    description=(
        "For regulators. Lists access decisions on workers' data, newest "
        "first, filtered by worker, acting company, decision and time. "
        "Workers appear by id only. Pass `next_cursor` as `before` for the "
        "next page."
    ),
    tags=["audit"],
)
def list_audit_events(
    request: Request[Any, Any, Any],
    worker_id: FromQuery[str | None] = None,
    company_id: FromQuery[str | None] = None,
    decision: FromQuery[Literal["allow", "deny"] | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    before: Annotated[
        int | None,
        QueryParameter(ge=1, le=MAX_ROW_ID, description="Event id to list before"),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
) -> AuditEventPage:
    actor = authenticate(request)
    state = services(request.app.state)
    if not state.policies.is_allowed(actor, "read", AuditLog()):
        raise not_found("resource")
    query = select(AuditEvent)
    if worker_id is not None:
        query = query.where(
            AuditEvent.worker_id == require_id14(worker_id, "worker_id")
        )
    if company_id is not None:
        query = query.where(
            AuditEvent.actor_company_id == require_id14(company_id, "company_id")
        )
    if decision is not None:
        query = query.where(AuditEvent.decision == decision)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= require_aware(since, "since"))
    if until is not None:
        query = query.where(AuditEvent.occurred_at < require_aware(until, "until"))
    if before is not None:
        query = query.where(AuditEvent.id < before)
    query = query.order_by(AuditEvent.id.desc()).limit(limit + 1)
    with state.session() as session:
        rows = session.scalars(query).all()
    page = rows[:limit]
    items = [
        AuditEventView(**{f: getattr(row, f) for f in AuditEventView.__struct_fields__})
        for row in page
    ]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return AuditEventPage(items=items, next_cursor=next_cursor)
