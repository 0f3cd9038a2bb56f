"""Facts about sites and roster registrations, given to ``policies/sites.polar``.

Like ``ccus.authz.facts``, these classes carry no personal data and decide
nothing: the policies decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccus.authz.facts import EmploymentFact


@dataclass(frozen=True, slots=True)
class SiteSummaryFacts:
    """The companies that may read a site's summary, by their role on the site.

    ``orderer_company_id`` is None when the orderer (発注者) is not a
    registered company.
    """

    site_id: str
    prime_company_id: str
    orderer_company_id: str | None


@dataclass(frozen=True, slots=True)
class AgreementFact:
    """A running inter-company agreement (事業者間合意) for proxy registration."""

    agreement_id: int
    upper_company_id: str
    lower_company_id: str


@dataclass(frozen=True, slots=True)
class RosterRegistration:
    """A request to put a worker on a site's roster, with one basis to check.

    ``company_id`` is the worker's employer on this site, the entry's company.
    ``upper_company_ids`` are the companies above it in the site's tree, and
    ``worker_employer_ids`` the worker's employers with an active employment.
    ``basis`` is one candidate: an active employment of the worker or a
    running agreement that names ``company_id`` as the lower company.
    """

    site_id: str
    site_status: str
    tree_company_ids: tuple[str, ...]
    company_id: str
    upper_company_ids: tuple[str, ...]
    worker_employer_ids: tuple[str, ...]
    basis: EmploymentFact | AgreementFact
