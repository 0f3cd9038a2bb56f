"""Write audit events in the transaction of the read they describe.

A read's response is built only after its audit rows are committed, so a
disclosure without an audit record cannot happen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ccus.audit.chain import AuditChain
from ccus.auth.actors import Actor

if TYPE_CHECKING:
    from ccus.audit.detectors import PoachingDetectors


@dataclass(frozen=True, slots=True)
class AccessContext:
    """Who is asking, through which client, when and for what purpose."""

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
        alerts = context.detectors.observe(session, rows)
        session.add_all([alert.to_row() for alert in alerts])
