"""Turn accesses into audit rows and append them to the chain.

A response is sent only after its audit rows are committed, so a
disclosure without an audit record cannot happen. Changes commit together
with their rows; reads hand theirs to the ``AuditWriter``, which may share
one commit among concurrent reads.
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
    from ccus.audit.writer import AuditWriter


@dataclass(frozen=True, slots=True)
class AccessContext:
    """The actor, client, time and purpose of one request, for its audit rows."""

    actor: Actor
    request_id: str
    now: datetime
    chain: AuditChain
    purpose: str | None = None
    detectors: PoachingDetectors | None = None
    writer: AuditWriter | None = None


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


def event_rows(
    context: AccessContext, drafts: list[AuditDraft]
) -> list[dict[str, Any]]:
    """Return the audit rows of ``drafts``, not yet linked into the chain."""
    actor = context.actor
    return [
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


def append_rows(
    session: Session,
    chain: AuditChain,
    detectors: PoachingDetectors | None,
    rows: list[dict[str, Any]],
    now: datetime,
) -> None:
    """Link ``rows`` into the chain and record the alerts they raise."""
    chain.append(session, rows, now)
    if detectors is not None:
        for alert in detectors.observe(session, rows):
            record_alert(session, alert.to_row())


def write_events(
    session: Session, context: AccessContext, drafts: list[AuditDraft]
) -> None:
    """Append ``drafts`` to the audit chain in ``session``; the caller commits.

    For changes that must commit together with their audit rows (erasure,
    registration, touches); reads go through ``record_read``.
    """
    if drafts:
        rows = event_rows(context, drafts)
        append_rows(session, context.chain, context.detectors, rows, context.now)


def record_read(
    session: Session, context: AccessContext, drafts: list[AuditDraft]
) -> None:
    """Commit the audit rows of a read before its response is built.

    The read's own transaction ends first, so that waiting for a shared
    commit holds no snapshot or lock.
    """
    if context.writer is None:
        write_events(session, context, drafts)
        session.commit()
        return
    session.rollback()
    context.writer.write(context, drafts)


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
