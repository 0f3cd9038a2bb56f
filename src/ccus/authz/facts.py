"""Facts about resources, loaded from the database and given to the policies.

The policies decide; these classes only carry what the decisions need.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EmploymentFact:
    employment_id: int
    company_id: str


@dataclass(frozen=True, slots=True)
class RosterLink:
    """A worker's entry on the roster of a live site.

    ``upper_company_ids`` are the companies above the entry's company in that
    site's subcontract tree, the prime contractor included.
    """

    entry_id: int
    site_id: str
    company_id: str
    upper_company_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ConsentFact:
    """A consent about the worker, as stored; the policies decide if it holds.

    ``recipient_company_id`` is None for a consent given to every company,
    and ``employer_company_id`` is None when the worker had no employer to
    ask. ``expires_at`` is in POSIX seconds, like ``WorkerRecord.as_of``.
    """

    consent_id: int
    recipient_company_id: str | None
    employer_company_id: str | None
    groups: tuple[str, ...]
    worker_decision: str | None
    employer_decision: str | None
    revoked: bool
    expires_at: float


@dataclass(frozen=True, slots=True)
class ConsentParties:
    """Who takes part in a consent, as a resource to view, decide or revoke."""

    worker_id: str
    employer_company_id: str | None
    recipient_company_id: str | None


@dataclass(frozen=True, slots=True)
class WorkerRecord:
    """The facts about a worker that policies use, without any personal data.

    ``as_of`` is the moment of the decision in POSIX seconds, which consents'
    expiry is compared with.
    """

    worker_id: str
    employments: tuple[EmploymentFact, ...]
    live_roster_links: tuple[RosterLink, ...]
    contact_replaced: bool
    consents: tuple[ConsentFact, ...] = ()
    as_of: float = 0.0

    @property
    def employer_ids(self) -> tuple[str, ...]:
        return tuple(employment.company_id for employment in self.employments)


@dataclass(frozen=True, slots=True)
class ContactChoice:
    """A worker's employers and whether they replace the worker's contact."""

    employer_ids: tuple[str, ...]
    contact_replaced: bool


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """A site's status and the companies in its subcontract tree."""

    site_id: str
    status: str
    prime_company_id: str
    company_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorkerDirectory:
    """A company's set of workers, as a resource to register into or search."""

    company_id: str


@dataclass(frozen=True, slots=True)
class AuditLog:
    """The audit log as a whole, as a resource to authorize."""
