"""Write audit events in the transaction of the read they describe.

A read's response is built only after its audit rows are committed, so a
disclosure without an audit record cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.audit.alerts import AuditAlert, AuditAlertWorker
from ccus.audit.chain import AuditChain
from ccus.audit.models import AuditEvent
from ccus.auth.actors import Actor

if TYPE_CHECKING:
    from ccus.audit.detectors import PoachingDetectors


@dataclass(frozen=True, slots=True)
class AccessContext:
    """The actor, client, time and purpose of one request, for its audit rows."""

    actor: Actor
    request_id: str
    now: datetime
    chain: AuditChain
    purpose: str | None = None
    detectors: PoachingDetectors | None = None


@dataclass(slots=True)
class AuditDraft:
    """One audit event before it is written."""

    action: str
    resource: str
    decision: str
    worker_id: str | None = None
    site_id: str | None = None
    field_groups: list[str] = field(default_factory=list)
    basis: list[dict[str, Any]] = field(default_factory=list)


def write_events(
    session: Session, context: AccessContext, drafts: list[AuditDraft]
) -> None:
    """Append ``drafts`` to the audit chain; the caller commits."""
    if not drafts:
        return
    actor = context.actor
    rows = [
        {
            "occurred_at": context.now,
            "request_id": context.request_id,
            "actor_kind": actor.kind,
            "actor_id": actor.subject,
            "actor_company_id": actor.company_id,
            "client_id": actor.client_id,
            "action": draft.action,
            "resource": draft.resource,
            "worker_id": draft.worker_id,
            "site_id": draft.site_id,
            "field_groups": draft.field_groups,
            "basis": draft.basis,
            "decision": draft.decision,
            "purpose": context.purpose,
        }
        for draft in drafts
    ]
    context.chain.append(session, rows, context.now)
    if context.detectors is not None:
        for alert in context.detectors.observe(session, rows):
            record_alert(session, alert.to_row())


def record_alert(session: Session, alert: AuditAlert) -> None:
    """Store an alert and the workers of its evidence entries, by id."""
    session.add(alert)
    session.flush()
    worker_ids = session.scalars(
        select(AuditEvent.worker_id)
        .where(AuditEvent.seq.in_(alert.evidence), AuditEvent.worker_id.is_not(None))
        .distinct()
    ).all()
    session.add_all(
        AuditAlertWorker(alert_id=alert.id, worker_id=worker_id)
        for worker_id in worker_ids
    )
