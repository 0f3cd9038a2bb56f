"""HTTP routes of the audit log: the regulator's search and the worker's view."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, get
from litestar.params import FromQuery, QueryParameter
from sqlalchemy import Select, select

from ccus.audit.chain import HASHED_FIELDS
from ccus.audit.models import AuditEvent
from ccus.auth.actors import WorkerActor
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.authz.facts import AuditLog
from ccus.authz.loaders import employers_by_worker
from ccus.clock import jst_date
from ccus.errors import not_found, problem_responses
from ccus.registry.models import Company
from ccus.web import MAX_ROW_ID, authenticate, require_aware, require_id14, services

MAX_PAGE = 500
MAX_EXPORT = 10_000
# The entry id, then the hashed fields in chain order.
CSV_COLUMNS = ("id", *HASHED_FIELDS)


class AuditEventView(msgspec.Struct):
    id: int
    seq: int
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


SEARCH_DESCRIPTION = (
    "For regulators. Lists access decisions on workers' data, newest first, "
    "filtered by worker, acting company, decision and time. Workers appear by "
    "id only. Pass `next_cursor` as `before` for the next page; the cursor is "
    "an entry id, so pages stay stable while new entries arrive."
)


def _search(
    request: Request[Any, Any, Any],
    worker_id: str | None,
    company_id: str | None,
    decision: str | None,
    since: datetime | None,
    until: datetime | None,
    before: int | None,
) -> Select[AuditEvent]:
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
    return query.order_by(AuditEvent.id.desc())


def _view(row: AuditEvent) -> AuditEventView:
    return AuditEventView(
        **{name: getattr(row, name) for name in AuditEventView.__struct_fields__}
    )


@get(
    "/audit/events",
    sync_to_thread=False,
    responses=problem_responses(400, 401, 403, 404),
    summary="Search the audit log",
    description=SEARCH_DESCRIPTION,
    tags=["audit"],
    opt={"scope": "audit:read"},
    exception_handlers=SCOPE_ERRORS,
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
    query = _search(request, worker_id, company_id, decision, since, until, before)
    with services(request.app.state).session() as session:
        rows = session.scalars(query.limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return AuditEventPage(items=[_view(row) for row in page], next_cursor=next_cursor)


@get(
    "/audit/events.csv",
    sync_to_thread=False,
    responses=problem_responses(400, 401, 403, 404),
    summary="Export the audit log as CSV",
    description=(
        "The same search as /audit/events as CSV (RFC 4180, UTF-8), newest "
        "first, at most `limit` rows. The X-Next-Cursor header carries the "
        "cursor for the next export when more rows match."
    ),
    tags=["audit"],
    media_type="text/csv",
    opt={"scope": "audit:read"},
    exception_handlers=SCOPE_ERRORS,
)
def export_audit_events(
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
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
) -> Response[str]:
    query = _search(request, worker_id, company_id, decision, since, until, before)
    with services(request.app.state).session() as session:
        rows = session.scalars(query.limit(limit + 1)).all()
    page = rows[:limit]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in page:
        view = msgspec.to_builtins(_view(row))
        writer.writerow(
            [
                json.dumps(view[name], ensure_ascii=False)
                if isinstance(view[name], list)
                else ("" if view[name] is None else view[name])
                for name in CSV_COLUMNS
            ]
        )
    headers = {"Content-Disposition": 'attachment; filename="audit-events.csv"'}
    if len(rows) > limit:
        headers["X-Next-Cursor"] = str(page[-1].id)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


class AccessLogEntry(msgspec.Struct):
    occurred_at: datetime
    actor_kind: str
    actor_company_id: str | None
    actor_company_name: str | None
    client_id: str
    action: str
    field_groups: list[str]
    basis: list[dict[str, Any]]
    purpose: str | None
    decision: str
    third_party: bool


class AccessLogPage(msgspec.Struct):
    items: list[AccessLogEntry]
    next_cursor: str | None


@get(
    "/workers/me/access-log",
    sync_to_thread=False,
    responses=problem_responses(400, 401, 403, 404),
    summary="See who accessed your record",
    description=(
        "For workers. Lists every access decision about the caller's record, "
        "newest first: who (kind of actor, company and client), when, which "
        "field groups, on what basis and for what purpose, allowed or denied. "
        "`third_party` marks a disclosure to a company that is not the "
        "worker's employer today, as Japan's Act on the Protection of "
        "Personal Information requires such provisions to be recorded. Staff "
        "appear by company, not by person. Pass `next_cursor` as `before`."
    ),
    tags=["workers"],
    opt={"scope": "audit:read"},
    exception_handlers=SCOPE_ERRORS,
)
def read_own_access_log(
    request: Request[Any, Any, Any],
    before: Annotated[
        int | None,
        QueryParameter(ge=1, le=MAX_ROW_ID, description="Entry id to list before"),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
) -> AccessLogPage:
    actor = authenticate(request)
    if not isinstance(actor, WorkerActor):
        raise not_found("access log")
    state = services(request.app.state)
    query = select(AuditEvent).where(AuditEvent.worker_id == actor.worker_id)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    with state.session() as session:
        rows = session.scalars(
            query.order_by(AuditEvent.id.desc()).limit(limit + 1)
        ).all()
        page = rows[:limit]
        today = jst_date(state.clock())
        employers = employers_by_worker(session, [actor.worker_id], today).get(
            actor.worker_id, ()
        )
        company_ids = {row.actor_company_id for row in page if row.actor_company_id}
        names = dict(
            session.execute(
                select(Company.company_id, Company.name).where(
                    Company.company_id.in_(company_ids)
                )
            ).all()
        )
    items = [
        AccessLogEntry(
            occurred_at=row.occurred_at,
            actor_kind=row.actor_kind,
            actor_company_id=row.actor_company_id,
            actor_company_name=names.get(row.actor_company_id or ""),
            client_id=row.client_id,
            action=row.action,
            field_groups=row.field_groups,
            basis=row.basis,
            purpose=row.purpose,
            decision=row.decision,
            third_party=row.decision == "allow"
            and row.actor_kind == "staff"
            and row.actor_company_id not in employers,
        )
        for row in page
    ]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return AccessLogPage(items=items, next_cursor=next_cursor)
