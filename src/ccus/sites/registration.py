"""Put a worker on a site's roster: own registration and proxy registration.

A company registers its own workers. Under a running inter-company
agreement (事業者間合意) a company may also register the workers of a
company below it in the site's tree, which is proxy registration. Either
way ``policies/sites.polar`` decides, and the decision, allowed or denied,
is written to the audit log in the transaction of the roster entry.

The agreement only writes roster entries. Reading the registered worker's
record still needs a disclose rule of ``policies/ccus.polar``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ccus.audit.log import AccessContext, AuditDraft, write_events
from ccus.auth.actors import StaffActor
from ccus.authz.engine import PolicyEngine
from ccus.authz.facts import EmploymentFact
from ccus.authz.loaders import active_employment_filter
from ccus.clock import jst_date
from ccus.errors import ProblemError, not_found
from ccus.registry.models import Employment, Worker
from ccus.sites.facts import AgreementFact, RosterRegistration
from ccus.sites.models import (
    CompanyAgreement,
    RosterEntry,
    Site,
    Subcontract,
    SubcontractPath,
)

ACTION = "register_roster_entry"
# The roles that policies/sites.polar lets register, named in refusals only.
REGISTRAR_ROLES = frozenset({"administrator", "site_manager"})


class RosterEntryRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A worker to put on a site's roster, under the company employing them there."""

    worker_id: str
    company_id: str
    trade: str
    entry_date: date
    induction_date: date
    position: str | None = None


class RegisteredEntry(msgspec.Struct):
    entry_id: int


def invalid_entry(name: str, detail: str) -> ProblemError:
    """Return the 400 error for the invalid field ``name`` of a roster entry."""
    return ProblemError(
        400, "invalid-roster-entry", "Invalid roster entry", detail, {"field": name}
    )


def register_roster_entry(
    session: Session,
    policies: PolicyEngine,
    context: AccessContext,
    site_id: str,
    body: RosterEntryRequest,
) -> int:
    """Insert the roster entry if the policy allows it, and return its id.

    Commits the entry with its audit row, or the denial's audit row alone.

    Raises:
        ProblemError: 404 when the site is unknown or the caller's company is
            not in its tree. 403 when the policy denies the entry. 400 when a
            date lies outside the site's accumulation period. 409 when the
            worker has a roster entry on the site already.
    """
    today = jst_date(context.now)
    site = session.get(Site, site_id)
    tree = set() if site is None else _tree(session, site_id)
    candidates = [] if site is None else _candidates(session, site, tree, body, today)
    basis = next(
        (c.basis for c in candidates if policies.is_allowed(context.actor, ACTION, c)),
        None,
    )
    if site is None or basis is None:
        refusal = _refusal(context, site, tree, body)
        raise _deny(session, context, site_id, body, refusal)
    period_problem = _outside_period(site, body)
    if period_problem is not None:
        raise _deny(session, context, site_id, body, period_problem)
    if _has_entry(session, site_id, body.worker_id):
        raise _deny(session, context, site_id, body, _duplicate())

    entry = RosterEntry(
        site_id=site_id,
        worker_id=body.worker_id,
        company_id=body.company_id,
        trade=body.trade,
        position=body.position,
        entry_date=body.entry_date,
        induction_date=body.induction_date,
        registered_by_company_id=(
            context.actor.company_id if isinstance(basis, AgreementFact) else None
        ),
    )
    session.add(entry)
    try:
        session.flush()
    except IntegrityError:
        # Another request put the worker on this roster since the check.
        session.rollback()
        raise _deny(session, context, site_id, body, _duplicate()) from None
    draft = AuditDraft(
        ACTION,
        "roster_entry",
        "allow",
        worker_id=body.worker_id,
        site_id=site_id,
        basis=[_basis_entry(basis)],
    )
    write_events(session, context, [draft])
    session.commit()
    return entry.id


def _tree(session: Session, site_id: str) -> set[str]:
    return set(
        session.scalars(
            select(Subcontract.company_id).where(Subcontract.site_id == site_id)
        )
    )


def _candidates(
    session: Session,
    site: Site,
    tree: set[str],
    body: RosterEntryRequest,
    today: date,
) -> list[RosterRegistration]:
    """Return one registration fact per basis that could allow the entry.

    The bases are the worker's active employments and the running
    agreements that name the entry's company as the lower company. An
    erased worker has no employment here, so nobody may register them.
    """
    uppers = session.scalars(
        select(SubcontractPath.ancestor_company_id).where(
            SubcontractPath.site_id == site.site_id,
            SubcontractPath.descendant_company_id == body.company_id,
            SubcontractPath.depth >= 1,
        )
    ).all()
    employments = session.execute(
        select(Employment.id, Employment.company_id)
        .join(Worker, Worker.worker_id == Employment.worker_id)
        .where(
            Employment.worker_id == body.worker_id,
            Worker.erased_at.is_(None),
            active_employment_filter(today),
        )
        .order_by(Employment.id)
    ).all()
    agreements = session.scalars(
        select(CompanyAgreement)
        .where(
            CompanyAgreement.lower_company_id == body.company_id,
            CompanyAgreement.signed_on <= today,
            or_(
                CompanyAgreement.ended_on.is_(None),
                CompanyAgreement.ended_on >= today,
            ),
        )
        .order_by(CompanyAgreement.id)
    ).all()
    bases: list[EmploymentFact | AgreementFact] = [
        EmploymentFact(row.id, row.company_id) for row in employments
    ]
    bases.extend(
        AgreementFact(row.id, row.upper_company_id, row.lower_company_id)
        for row in agreements
    )
    return [
        RosterRegistration(
            site_id=site.site_id,
            site_status=site.status,
            tree_company_ids=tuple(sorted(tree)),
            company_id=body.company_id,
            upper_company_ids=tuple(sorted(uppers)),
            worker_employer_ids=tuple(sorted({row.company_id for row in employments})),
            basis=basis,
        )
        for basis in bases
    ]


def _refusal(
    context: AccessContext, site: Site | None, tree: set[str], body: RosterEntryRequest
) -> ProblemError:
    """Explain a denial that the policy decided, naming no worker's employer.

    A caller outside the site's tree gets 404, as for an unknown site. Inside
    it, the message names a missing role, an ended site or a company outside
    the tree. Every other refusal gets one message, so that a caller cannot
    tell whether the worker exists or whom they work for.
    """
    actor = context.actor
    if site is None or not isinstance(actor, StaffActor):
        return not_found("site")
    if actor.company_id not in tree:
        return not_found("site")
    if not REGISTRAR_ROLES & set(actor.roles):
        return _forbidden(
            "Only a company's administrators and site managers may register "
            "roster entries; ask one of them."
        )
    if site.status not in ("live", "upcoming"):
        return _forbidden(
            "This site has ended; roster entries are registered on live and "
            "upcoming sites only."
        )
    if body.company_id not in tree:
        return _forbidden(
            "company_id is not in this site's subcontract tree; send the id of "
            "the company that employs the worker on this site."
        )
    return _forbidden(
        "You may register your own company's workers, or, under a running "
        "inter-company agreement with their employer, the workers of a company "
        "below yours in this site's tree. Check worker_id and company_id, and "
        "that the worker's employment and the agreement are current."
    )


def _forbidden(detail: str) -> ProblemError:
    return ProblemError(403, "forbidden", "Forbidden", detail)


def _outside_period(site: Site, body: RosterEntryRequest) -> ProblemError | None:
    period = f"{site.period_start.isoformat()} to {site.period_end.isoformat()}"
    for name in ("entry_date", "induction_date"):
        day: date = getattr(body, name)
        if not site.period_start <= day <= site.period_end:
            return invalid_entry(
                name,
                f"{name} must lie within the site's accumulation period, {period}.",
            )
    return None


def _has_entry(session: Session, site_id: str, worker_id: str) -> bool:
    return (
        session.scalar(
            select(RosterEntry.id).where(
                RosterEntry.site_id == site_id, RosterEntry.worker_id == worker_id
            )
        )
        is not None
    )


def _duplicate() -> ProblemError:
    return ProblemError(
        409,
        "duplicate-roster-entry",
        "Worker already on the roster",
        "The worker already has an entry on this site's roster. A roster "
        "keeps one entry per worker, an exited one included, so nothing was "
        "registered.",
    )


def _deny(
    session: Session,
    context: AccessContext,
    site_id: str,
    body: RosterEntryRequest,
    problem: ProblemError,
) -> ProblemError:
    """Commit the audit row of a refused registration and return its error."""
    draft = AuditDraft(
        ACTION,
        "roster_entry",
        "deny",
        worker_id=body.worker_id,
        site_id=site_id,
    )
    write_events(session, context, [draft])
    session.commit()
    return problem


def _basis_entry(basis: EmploymentFact | AgreementFact) -> dict[str, Any]:
    if isinstance(basis, AgreementFact):
        return {"kind": "agreement", "ref": str(basis.agreement_id), "groups": []}
    return {"kind": "employment", "ref": str(basis.employment_id), "groups": []}
