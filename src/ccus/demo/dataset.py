# The demo data must be reproducible from a seed, so random.Random is intended here.
# ruff: noqa: S311
"""Deterministic, fictional CCUS dataset for demos and tests.

``build_dataset`` creates companies, their staff, workers with personal data by field
group, three sites (live, ended and upcoming) with subcontract trees and orderers,
inter-company agreements, site rosters and card-reader touches. All randomness comes
from one ``random.Random(seed)``, so the same arguments always produce an equal
``Dataset``.

The records are defined in ``records`` and re-exported here. The builders live in
``world`` (companies, staff, sites, trees), ``people`` with ``field_groups`` and
``career`` (workers), ``roster``, ``touches`` and ``contracts`` (orderers and
agreements).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from . import catalogue
from .contracts import build_agreements, build_orderers
from .ids import IdAllocator
from .people import assign_employers, build_people
from .records import (
    CardTouch,
    Company,
    CompanyAgreement,
    PastEmployment,
    RosterEntry,
    Site,
    StaffMember,
    Subcontract,
    Worker,
)
from .roster import build_rosters
from .touches import ENDED_TOUCH_DAYS, build_touches, pick_rain_days
from .world import (
    ENDED_END_OFFSET,
    build_companies,
    build_sites,
    build_staff,
    build_subcontracts,
)

__all__ = [
    "CardTouch",
    "Company",
    "CompanyAgreement",
    "Dataset",
    "PastEmployment",
    "RosterEntry",
    "Site",
    "StaffMember",
    "Subcontract",
    "Worker",
    "build_dataset",
]

# The target worker and the sole proprietors' fixed head counts take 9 of the workers.
MIN_WORKERS = 20
MIN_DAYS = 14


@dataclass(frozen=True, slots=True)
class Dataset:
    seed: int
    start: date
    days: int
    companies: tuple[Company, ...]
    staff: tuple[StaffMember, ...]
    workers: tuple[Worker, ...]
    sites: tuple[Site, ...]
    subcontracts: tuple[Subcontract, ...]
    agreements: tuple[CompanyAgreement, ...]
    roster: tuple[RosterEntry, ...]
    touches: tuple[CardTouch, ...]
    holidays: tuple[date, ...]  # Japanese public holidays inside the window
    rain_days: tuple[date, ...]  # days the live site closed for rain

    def personas(self) -> dict[str, str]:
        """Return the worker, staff and site ids that demos and access tests use.

        "worker" is the first live-site roster worker without an exit date who works
        for a second-tier company and also appears on the ended site's roster. The staff
        ids belong to that worker's employer ("employer"), the live prime ("prime"), the
        employer's parent in the live tree ("upper"), the ended site's prime
        ("past_prime"), the first company outside both trees other than the employer
        ("outsider"), the live site's orderer ("orderer") and the next company
        outside both trees ("consented"), to which the worker and the employer
        consent to show the qualifications group.
        Raises ValueError if the dataset has no such worker or company.
        """
        site_by_status = {site.status: site.site_id for site in self.sites}
        live, ended = site_by_status["live"], site_by_status["ended"]
        live_tree = self._tree(live)
        ended_tree = self._tree(ended)
        target = self._find_target(live, ended, live_tree)
        employer = target.company_id
        upper = live_tree[employer].parent_company_id
        if upper is None:
            raise ValueError(f"second-tier company {employer} has no parent company")
        live_prime = next(
            node.company_id for node in live_tree.values() if node.tier == 0
        )
        past_prime = next(
            node.company_id for node in ended_tree.values() if node.tier == 0
        )
        if past_prime in live_tree:
            raise ValueError(
                f"ended site's prime {past_prime} is also in the live site's tree"
            )
        orderer = next(site for site in self.sites if site.site_id == live)
        if orderer.orderer_company_id is None:
            raise ValueError(f"live site {live} has no orderer company")
        outsider = self._find_outsider(live_tree, ended_tree, {employer})
        consented = self._find_outsider(
            live_tree, ended_tree, {employer, outsider, orderer.orderer_company_id}
        )
        return {
            "worker": target.worker_id,
            "employer": self._staff_for(employer, "administrator"),
            "prime": self._staff_for(live_prime, "site_manager"),
            "upper": self._staff_for(upper, "site_manager"),
            "past_prime": self._staff_for(past_prime, "site_manager"),
            "outsider": self._staff_for(outsider, "administrator"),
            "orderer": self._staff_for(orderer.orderer_company_id, "administrator"),
            "consented": self._staff_for(consented, "administrator"),
            "site_id": live,
            "past_site_id": ended,
            "upcoming_site_id": site_by_status["upcoming"],
        }

    def _tree(self, site_id: str) -> dict[str, Subcontract]:
        return {
            node.company_id: node
            for node in self.subcontracts
            if node.site_id == site_id
        }

    def _find_target(
        self, live: str, ended: str, live_tree: dict[str, Subcontract]
    ) -> RosterEntry:
        ended_workers = {
            entry.worker_id for entry in self.roster if entry.site_id == ended
        }
        target = next(
            (
                entry
                for entry in self.roster
                if entry.site_id == live
                and entry.exit_date is None
                and entry.company_id in live_tree
                and live_tree[entry.company_id].tier == 2
                and entry.worker_id in ended_workers
            ),
            None,
        )
        if target is None:
            raise ValueError(
                "no second-tier worker on both the live and the ended site's roster"
            )
        return target

    def _find_outsider(
        self,
        live_tree: dict[str, Subcontract],
        ended_tree: dict[str, Subcontract],
        excluded: set[str],
    ) -> str:
        outsider = next(
            (
                company.company_id
                for company in self.companies
                if company.company_id not in live_tree
                and company.company_id not in ended_tree
                and company.company_id not in excluded
            ),
            None,
        )
        if outsider is None:
            raise ValueError("no company outside the live and the ended site's trees")
        return outsider

    def _staff_for(self, company_id: str, role: str) -> str:
        """Return the company's first staff member with the role, else its first one."""
        members = [member for member in self.staff if member.company_id == company_id]
        if not members:
            raise ValueError(f"company {company_id} has no staff member")
        return next(
            (member.staff_id for member in members if role in member.roles),
            members[0].staff_id,
        )


def build_dataset(
    seed: int = 20260401,
    workers: int = 300,
    start: date = date(2026, 9, 1),
    days: int = 90,
) -> Dataset:
    """Build the demo dataset for a window of ``days`` days that begins on ``start``.

    Raises ValueError when ``workers`` or ``days`` is too small, or when the window or
    the ended site's touches fall outside the holiday calendar in catalogue.HOLIDAYS.
    """
    _validate_arguments(workers, start, days)
    rng = random.Random(seed)
    ids = IdAllocator(rng)
    companies = build_companies(rng, ids, start)
    staff = build_staff(ids, companies)
    sites = build_sites(ids, companies, start, days)
    subcontracts = build_subcontracts(sites, companies)

    employer_keys = assign_employers(rng, workers)
    people = build_people(rng, ids, employer_keys, companies, start)

    roster = build_rosters(rng, people, companies, sites, start, days)
    window_end = start + timedelta(days=days - 1)
    holidays = tuple(
        day for day in sorted(catalogue.HOLIDAYS) if start <= day <= window_end
    )
    rain_days = pick_rain_days(rng, start, days)
    touches = build_touches(
        rng, people[0].worker.worker_id, roster, sites, start, days, rain_days
    )
    # The orderers draw from the generator last, so that every record built
    # before them stays the same as in datasets without orderers.
    orderers, orderer_staff, orderer_of_site = build_orderers(rng, ids, sites)

    return Dataset(
        seed=seed,
        start=start,
        days=days,
        companies=tuple(company for company, _ in companies.values()) + tuple(orderers),
        staff=staff + tuple(orderer_staff),
        workers=tuple(person.worker for person in people),
        sites=tuple(
            replace(site, orderer_company_id=orderer_of_site[site.site_id])
            for site, _ in sites.values()
        ),
        subcontracts=subcontracts,
        agreements=build_agreements(companies, start),
        roster=roster,
        touches=touches,
        holidays=holidays,
        rain_days=rain_days,
    )


def _validate_arguments(workers: int, start: date, days: int) -> None:
    if workers < MIN_WORKERS:
        raise ValueError(f"workers must be at least {MIN_WORKERS}, got {workers}")
    if days < MIN_DAYS:
        raise ValueError(f"days must be at least {MIN_DAYS}, got {days}")
    # The ended site's touches begin before the window, so they need holidays too.
    earliest_start = catalogue.HOLIDAYS_FIRST + timedelta(
        days=ENDED_END_OFFSET + ENDED_TOUCH_DAYS - 1
    )
    latest_start = catalogue.HOLIDAYS_LAST - timedelta(days=days - 1)
    if not earliest_start <= start <= latest_start:
        raise ValueError(
            f"invalid start {start} for a {days}-day window. The holiday calendar "
            f"covers {catalogue.HOLIDAYS_FIRST}..{catalogue.HOLIDAYS_LAST}, so start "
            f"must be between {earliest_start} and {latest_start}."
        )
