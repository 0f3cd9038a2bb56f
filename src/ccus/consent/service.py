"""The life of a consent: request, the two decisions, revocation, receipts.

A company requests chosen field groups of a worker for a stated purpose
until an expiry; a worker may also offer groups to one company or to every
company. The worker and the employer each approve or reject. Whether a
consent discloses anything is decided by the policies on every read, from
the stored decisions, so a revocation or an expiry takes effect on the next
request without anything to invalidate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.authz.loaders import active_employment_filter
from ccus.clock import jst_date
from ccus.consent.models import Consent
from ccus.registry.models import Employment

# Groups a consent may name: the worker's own record, group by group.
CONSENTABLE_GROUPS = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "past_employers",
    "history",
)
# The longest a consent may run. A longer need takes a new request.
MAX_CONSENT_DAYS = 366
STATUSES = ("pending", "active", "rejected", "revoked", "expired", "lapsed")


def current_employer(session: Session, worker_id: str, now: datetime) -> str | None:
    """Return the employer whose approval a new consent needs.

    With several active employments, the one that started first is used.
    Returns None when the worker has no active employment.
    """
    return session.scalar(
        select(Employment.company_id)
        .where(
            Employment.worker_id == worker_id,
            active_employment_filter(jst_date(now)),
        )
        .order_by(Employment.start_date, Employment.id)
        .limit(1)
    )


def active_employers(session: Session, worker_id: str, now: datetime) -> set[str]:
    return set(
        session.scalars(
            select(Employment.company_id).where(
                Employment.worker_id == worker_id,
                active_employment_filter(jst_date(now)),
            )
        )
    )


def status_of(consent: Consent, now: datetime, employers: set[str]) -> str:
    """Return the consent's status at ``now``, given the worker's employers.

    ``lapsed`` means the employer that approved no longer employs the worker.
    The policies make the same decision, and this is the label shown to people.
    """
    if consent.revoked_at is not None:
        return "revoked"
    if "rejected" in (consent.worker_decision, consent.employer_decision):
        return "rejected"
    if consent.expires_at <= now:
        return "expired"
    employer = consent.employer_company_id
    if employer is not None and employer not in employers:
        return "lapsed"
    employer_done = employer is None or consent.employer_decision == "approved"
    if consent.worker_decision == "approved" and employer_done:
        return "active"
    return "pending"


def consent_view(
    consent: Consent, now: datetime, employers: set[str]
) -> dict[str, Any]:
    """Return the consent as the parties see it: ids, groups and decisions."""

    def moment(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "consent_id": consent.id,
        "worker_id": consent.worker_id,
        "employer_company_id": consent.employer_company_id,
        "recipient_company_id": consent.recipient_company_id,
        "groups": list(consent.groups),
        "purpose": consent.purpose,
        "expires_at": consent.expires_at.isoformat(),
        "requested_at": consent.requested_at.isoformat(),
        "requested_by_kind": consent.requested_by_kind,
        "worker_decision": consent.worker_decision,
        "worker_decided_at": moment(consent.worker_decided_at),
        "employer_decision": consent.employer_decision,
        "employer_decided_at": moment(consent.employer_decided_at),
        "revoked_at": moment(consent.revoked_at),
        "revoked_by": consent.revoked_by,
        "status": status_of(consent, now, employers),
    }


def latest_expiry(now: datetime) -> datetime:
    return now + timedelta(days=MAX_CONSENT_DAYS)
