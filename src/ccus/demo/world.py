"""Companies, their staff, the three sites and the sites' subcontract trees."""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import catalogue
from .addresses import landline, street_address
from .companies import COMPANIES, CompanySpec
from .ids import IdAllocator
from .records import Company, Site, StaffMember, Subcontract

PRIME_KEYS = ("live_prime", "past_prime", "upcoming_prime")

# Site periods as day offsets from the window. The live period starts LIVE_START_OFFSET
# days before the window, the ended period runs from ENDED_START_OFFSET to
# ENDED_END_OFFSET days before it, and the upcoming period starts UPCOMING_GAP days
# after the window ends.
LIVE_START_OFFSET = 150
ENDED_START_OFFSET = 240
ENDED_END_OFFSET = 61
UPCOMING_GAP = 30


def build_companies(
    rng: random.Random, ids: IdAllocator, start: date
) -> dict[str, tuple[Company, CompanySpec]]:
    companies = {}
    for spec in COMPANIES:
        # The target worker's employer gets a leading zero so that tests catch loaders
        # that store ids as integers.
        company_id = ids.allocate("company", leading_zero=spec.key == "rebar_2")
        issuer, kind, permit_trades = spec.permit if spec.permit else (None, None, ())
        has_permit = spec.permit is not None
        town = catalogue.TOWNS[spec.town]
        address = street_address(rng, town)
        if rng.random() < 0.6:
            address += f"　{town.town}第{rng.randint(1, 3)}ビル{rng.randint(2, 8)}階"
        company = Company(
            company_id=company_id,
            name=spec.name,
            name_kana=spec.name_kana,
            permit_issuer=issuer,
            permit_kind=kind,
            permit_number=f"{rng.randrange(1, 200000):06d}" if has_permit else None,
            permit_trades=permit_trades,
            permit_date=start - timedelta(days=rng.randrange(30, 5 * 365))
            if has_permit
            else None,
            kentaikyo_contractor_number=ids.allocate("kentaikyo_contractor", 8)
            if spec.kentaikyo
            else None,
            address=address,
            phone=landline(rng, town.area_code),
            is_sole_proprietor=spec.sole_proprietor,
        )
        companies[spec.key] = (company, spec)
    return companies


def build_staff(
    ids: IdAllocator, companies: dict[str, tuple[Company, CompanySpec]]
) -> tuple[StaffMember, ...]:
    first_tier = {
        key
        for site in catalogue.SITES
        for key, parent in site.tree
        if parent in PRIME_KEYS
    }
    staff = []
    for key, (company, spec) in companies.items():
        role_sets: list[tuple[str, ...]]
        if key in PRIME_KEYS:
            role_sets = [
                ("administrator",),
                ("site_manager",),
                ("site_manager",),
                ("clerk",),
            ]
        elif spec.sole_proprietor:
            role_sets = [("administrator", "site_manager")]
        elif key in first_tier:
            role_sets = [("administrator", "clerk"), ("site_manager",)]
        else:
            role_sets = [("administrator",), ("clerk",)]
        for number, roles in enumerate(role_sets):
            staff_id = ids.allocate(
                "staff", leading_zero=key == "rebar_2" and number == 0
            )
            staff.append(
                StaffMember(
                    staff_id=staff_id, company_id=company.company_id, roles=roles
                )
            )
    return tuple(staff)


def build_sites(
    ids: IdAllocator,
    companies: dict[str, tuple[Company, CompanySpec]],
    start: date,
    days: int,
) -> dict[str, tuple[Site, catalogue.SiteSpec]]:
    periods = _site_periods(start, days)
    sites = {}
    for spec in catalogue.SITES:
        period_start, period_end, status, handover = periods[spec.key]
        prime_key = spec.tree[0][0]
        site = Site(
            site_id=ids.allocate("site", leading_zero=spec.key == "live"),
            name=spec.name,
            address=spec.address,
            prime_company_id=companies[prime_key][0].company_id,
            orderer_name=spec.orderer_name,
            # contracts.build_orderers registers the orderers after the workers.
            orderer_company_id=None,
            period_start=period_start,
            period_end=period_end,
            status=status,
            handover_date=handover,
        )
        sites[spec.key] = (site, spec)
    return sites


def _site_periods(
    start: date, days: int
) -> dict[str, tuple[date, date, str, date | None]]:
    """Return (period start, period end, status, handover date) by site key."""
    window_end = start + timedelta(days=days - 1)
    upcoming_start = window_end + timedelta(days=UPCOMING_GAP)
    ended_end = start - timedelta(days=ENDED_END_OFFSET)
    return {
        "live": (
            start - timedelta(days=LIVE_START_OFFSET),
            window_end + timedelta(days=365),
            "live",
            None,
        ),
        "ended": (
            start - timedelta(days=ENDED_START_OFFSET),
            ended_end,
            "ended",
            ended_end,
        ),
        "upcoming": (
            upcoming_start,
            upcoming_start + timedelta(days=540),
            "upcoming",
            None,
        ),
    }


def build_subcontracts(
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
    companies: dict[str, tuple[Company, CompanySpec]],
) -> tuple[Subcontract, ...]:
    nodes = []
    for site, spec in sites.values():
        tiers: dict[str, int] = {}
        for key, parent in spec.tree:
            tiers[key] = 0 if parent is None else tiers[parent] + 1
            nodes.append(
                Subcontract(
                    site_id=site.site_id,
                    company_id=companies[key][0].company_id,
                    tier=tiers[key],
                    parent_company_id=None
                    if parent is None
                    else companies[parent][0].company_id,
                )
            )
    return tuple(nodes)
