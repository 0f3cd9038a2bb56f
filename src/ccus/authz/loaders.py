"""Load the policy facts of workers and sites with a few indexed queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from ccus.authz.facts import (
    ConsentFact,
    EmploymentFact,
    RosterLink,
    SiteFacts,
    WorkerRecord,
)
from ccus.clock import jst_date
from ccus.consent.models import Consent
from ccus.history.models import WorkHistory
from ccus.registry.models import Employment, Worker
from ccus.sites.models import RosterEntry, Site, Subcontract, SubcontractPath


def active_employment_filter(today: date):  # type: ignore[no-untyped-def]
    return or_(Employment.end_date.is_(None), Employment.end_date >= today)


def on_roster_filter(today: date):  # type: ignore[no-untyped-def]
    return or_(RosterEntry.exit_date.is_(None), RosterEntry.exit_date >= today)


def discloses_filter() -> ColumnElement[bool]:
    """Select roster entries that disclose their worker to the tiers above.

    An entry registered by an upper company under an agreement writes the
    roster only: it counts once the worker has worked on the site.
    """
    return or_(
        RosterEntry.registered_by_company_id.is_(None),
        exists().where(
            WorkHistory.worker_id == RosterEntry.worker_id,
            WorkHistory.site_id == RosterEntry.site_id,
        ),
    )


def load_worker_record(
    session: Session, worker_id: str, now: datetime
) -> tuple[bool, WorkerRecord]:
    """Return whether the worker exists, and its policy facts at ``now``.

    Every query runs even for an unknown id, so that a caller cannot tell
    from the response time whether a worker exists.
    """
    today = jst_date(now)
    contact_replaced = session.scalar(
        select(Worker.contact_replaced).where(
            Worker.worker_id == worker_id, Worker.erased_at.is_(None)
        )
    )
    employments = session.execute(
        select(Employment.id, Employment.company_id).where(
            Employment.worker_id == worker_id, active_employment_filter(today)
        )
    ).all()
    entries = session.execute(
        select(RosterEntry.id, RosterEntry.site_id, RosterEntry.company_id)
        .join(Site, Site.site_id == RosterEntry.site_id)
        .where(
            RosterEntry.worker_id == worker_id,
            Site.status == "live",
            on_roster_filter(today),
            discloses_filter(),
        )
    ).all()
    links = []
    for entry_id, site_id, company_id in entries:
        uppers = session.scalars(
            select(SubcontractPath.ancestor_company_id).where(
                SubcontractPath.site_id == site_id,
                SubcontractPath.descendant_company_id == company_id,
                SubcontractPath.depth >= 1,
            )
        ).all()
        links.append(RosterLink(entry_id, site_id, company_id, tuple(sorted(uppers))))
    record = WorkerRecord(
        worker_id=worker_id,
        employments=tuple(
            EmploymentFact(row.id, row.company_id) for row in employments
        ),
        live_roster_links=tuple(links),
        contact_replaced=bool(contact_replaced),
        consents=load_consents(session, worker_id),
        as_of=now.timestamp(),
    )
    return contact_replaced is not None, record


def load_consents(session: Session, worker_id: str) -> tuple[ConsentFact, ...]:
    """Return every consent about the worker that was not rejected or revoked."""
    rows = session.scalars(
        select(Consent).where(
            Consent.worker_id == worker_id,
            Consent.revoked_at.is_(None),
            or_(
                Consent.worker_decision.is_(None), Consent.worker_decision != "rejected"
            ),
            or_(
                Consent.employer_decision.is_(None),
                Consent.employer_decision != "rejected",
            ),
        )
    ).all()
    return tuple(consent_fact(row) for row in rows)


def consent_fact(row: Consent) -> ConsentFact:
    return ConsentFact(
        consent_id=row.id,
        recipient_company_id=row.recipient_company_id,
        employer_company_id=row.employer_company_id,
        groups=tuple(row.groups),
        worker_decision=row.worker_decision,
        employer_decision=row.employer_decision,
        revoked=row.revoked_at is not None,
        expires_at=row.expires_at.timestamp(),
    )


def load_site_facts(session: Session, site_id: str) -> SiteFacts | None:
    site = session.get(Site, site_id)
    if site is None:
        return None
    companies = session.scalars(
        select(Subcontract.company_id).where(Subcontract.site_id == site_id)
    ).all()
    return SiteFacts(site.site_id, site.status, site.prime_company_id, tuple(companies))


def subtree_company_ids(session: Session, site_id: str, company_id: str) -> list[str]:
    """Return ``company_id`` and every company below it in the site's tree."""
    return list(
        session.scalars(
            select(SubcontractPath.descendant_company_id).where(
                SubcontractPath.site_id == site_id,
                SubcontractPath.ancestor_company_id == company_id,
            )
        ).all()
    )


def employers_by_worker(
    session: Session, worker_ids: list[str], today: date
) -> dict[str, tuple[str, ...]]:
    rows = session.execute(
        select(Employment.worker_id, Employment.company_id).where(
            Employment.worker_id.in_(worker_ids), active_employment_filter(today)
        )
    ).all()
    result: dict[str, list[str]] = defaultdict(list)
    for worker_id, company_id in rows:
        result[worker_id].append(company_id)
    return {worker_id: tuple(ids) for worker_id, ids in result.items()}
