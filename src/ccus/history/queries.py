"""Read a worker's work history, optionally limited to one company's sites."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session

from ccus.history.models import WorkHistory
from ccus.sites.models import SubcontractPath

HISTORY_LIMIT = 400


def history_rows(
    session: Session, worker_id: str, above_company_id: str | None
) -> list[dict[str, Any]]:
    """Return the newest work history records of a worker, newest first.

    With ``above_company_id``, only records on sites where that company stood
    above the worker's employer in the tree (the prime included) are returned.
    At most ``HISTORY_LIMIT`` records come back.
    """
    query = select(WorkHistory).where(WorkHistory.worker_id == worker_id)
    if above_company_id is not None:
        query = query.where(
            exists().where(
                and_(
                    SubcontractPath.site_id == WorkHistory.site_id,
                    SubcontractPath.ancestor_company_id == above_company_id,
                    SubcontractPath.descendant_company_id
                    == WorkHistory.employer_company_id,
                    SubcontractPath.depth >= 1,
                )
            )
        )
    query = query.order_by(WorkHistory.work_date.desc()).limit(HISTORY_LIMIT)
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
