"""Read a worker's work history, optionally limited to one company's sites."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from ccus.history.models import WorkHistory
from ccus.sites.models import SubcontractPath

HISTORY_LIMIT = 400


HISTORY_ALL = "history"
HISTORY_OWN_EMPLOYMENT = "history_own_employment"
HISTORY_OWN_SITES = "history_own_sites"
HISTORY_GRANTS = (HISTORY_ALL, HISTORY_OWN_EMPLOYMENT, HISTORY_OWN_SITES)


def _scope_filter(scope: str, company_id: str | None) -> ColumnElement[bool]:
    if scope == HISTORY_ALL:
        return WorkHistory.id.is_not(None)
    if company_id is None:
        return false()
    if scope == HISTORY_OWN_EMPLOYMENT:
        return WorkHistory.employer_company_id == company_id
    # Sites where the company stood above the worker's employer, the prime
    # contractor included.
    return exists().where(
        and_(
            SubcontractPath.site_id == WorkHistory.site_id,
            SubcontractPath.ancestor_company_id == company_id,
            SubcontractPath.descendant_company_id == WorkHistory.employer_company_id,
            SubcontractPath.depth >= 1,
        )
    )


def history_rows(
    session: Session, worker_id: str, scopes: set[str], company_id: str | None
) -> list[dict[str, Any]]:
    """Return the newest work history records of a worker, newest first.

    ``scopes`` are the history grants of the reader: ``history`` (every
    record), ``history_own_employment`` (records with ``company_id`` as
    employer) and ``history_own_sites`` (records on sites where ``company_id``
    stood above the employer). A record shows when any scope admits it. At
    most ``HISTORY_LIMIT`` records come back.
    """
    condition = or_(*(_scope_filter(scope, company_id) for scope in sorted(scopes)))
    query = (
        select(WorkHistory)
        .where(WorkHistory.worker_id == worker_id, condition)
        .order_by(WorkHistory.work_date.desc())
        .limit(HISTORY_LIMIT)
    )
    return [
        {
            "date": row.work_date.isoformat(),
            "site_id": row.site_id,
            "employer_id": row.employer_company_id,
            "tier": row.tier,
            "trade": row.trade,
            "position": row.position,
            "entry_at": row.entry_at.isoformat() if row.entry_at else None,
            "exit_at": row.exit_at.isoformat() if row.exit_at else None,
        }
        for row in session.scalars(query)
    ]
