"""HTTP route of the poaching alerts: the regulator's search."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, get
from litestar.params import FromQuery, QueryParameter
from sqlalchemy import select

from ccus.audit.alerts import AuditAlert, AuditAlertWorker
from ccus.auth.route_scopes import SCOPE_ERRORS
from ccus.authz.facts import AuditLog
from ccus.authz.loaders import active_employment_filter
from ccus.clock import jst_date
from ccus.errors import not_found, problem_responses
from ccus.registry.models import Employment
from ccus.web import MAX_ROW_ID, authenticate, require_aware, require_id14, services

MAX_PAGE = 500
RuleName = Literal[
    "bulk_views",
    "contact_harvest",
    "after_end_attempts",
    "night_bulk",
    "proxy_browsing",
]


class AuditAlertView(msgspec.Struct):
    id: int
    rule: str
    company_id: str
    client_id: str
    workers: int
    first_at: datetime
    last_at: datetime
    evidence: list[int]
    created_at: datetime


class AuditAlertPage(msgspec.Struct):
    items: list[AuditAlertView]
    next_cursor: str | None


@get(
    "/audit/alerts",
    sync_to_thread=False,
    responses=problem_responses(400, 401, 403, 404),
    summary="Search poaching alerts",
    description=(
        "For regulators, and for a company's administrators, who see only the "
        "alerts whose evidence includes reads of their own workers. Lists the "
        "alerts of the poaching detectors, newest first, filtered by acting "
        "company, rule and creation time. `evidence` "
        "holds the sequence numbers of the latest 200 audit entries behind an "
        "alert at most; `workers` counts the distinct workers in its window. "
        "Pass `next_cursor` as `before` for the next page."
    ),
    tags=["audit"],
    opt={"scope": "audit:read"},
    exception_handlers=SCOPE_ERRORS,
)
def list_audit_alerts(
    request: Request[Any, Any, Any],
    company_id: FromQuery[str | None] = None,
    rule: FromQuery[RuleName | None] = None,
    since: FromQuery[datetime | None] = None,
    until: FromQuery[datetime | None] = None,
    before: Annotated[
        int | None,
        QueryParameter(ge=1, le=MAX_ROW_ID, description="Alert id to list before"),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
) -> AuditAlertPage:
    actor = authenticate(request)
    state = services(request.app.state)
    query = select(AuditAlert)
    if state.policies.is_allowed(actor, "read", AuditLog()):
        pass
    elif state.policies.is_allowed(actor, "read_own_alerts", AuditLog()):
        # Alerts with at least one worker employed by the caller's company.
        today = jst_date(state.clock())
        own = (
            select(AuditAlertWorker.alert_id)
            .join(Employment, Employment.worker_id == AuditAlertWorker.worker_id)
            .where(
                Employment.company_id == actor.company_id,
                active_employment_filter(today),
            )
        )
        query = query.where(AuditAlert.id.in_(own))
    else:
        raise not_found("resource")
    if company_id is not None:
        query = query.where(
            AuditAlert.company_id == require_id14(company_id, "company_id")
        )
    if rule is not None:
        query = query.where(AuditAlert.rule == rule)
    if since is not None:
        query = query.where(AuditAlert.created_at >= require_aware(since, "since"))
    if until is not None:
        query = query.where(AuditAlert.created_at < require_aware(until, "until"))
    if before is not None:
        query = query.where(AuditAlert.id < before)
    with state.session() as session:
        rows = session.scalars(
            query.order_by(AuditAlert.id.desc()).limit(limit + 1)
        ).all()
    page = rows[:limit]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    items = [
        AuditAlertView(
            **{name: getattr(row, name) for name in AuditAlertView.__struct_fields__}
        )
        for row in page
    ]
    return AuditAlertPage(items=items, next_cursor=next_cursor)
