"""The orderers (発注者) of the demo sites and the inter-company agreements.

Each site's orderer is a registered company named as in catalogue.SITES: a
developer, a redevelopment association and a prefecture. None of them is in
a subcontract tree or employs workers. The agreements (事業者間合意) join
companies of the live site's tree, so that proxy registration can be tried
there: two run, one names a company that is not above its lower company in
any tree, and one has ended.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import NamedTuple

from . import catalogue
from .addresses import landline, street_address
from .companies import CompanySpec
from .ids import IdAllocator
from .records import Company, CompanyAgreement, Site, StaffMember


class OrdererSpec(NamedTuple):
    site_key: str  # key of the site in catalogue.SITES that the company ordered
    name_kana: str
    town: int  # index into catalogue.TOWNS for the office address


ORDERERS: tuple[OrdererSpec, ...] = (
    OrdererSpec("live", "トヨスサンチョウメカイハツトクテイモクテキガイシャ", 32),
    OrdererSpec("ended", "コスギマチニチョウメチクシガイチサイカイハツクミアイ", 16),
    OrdererSpec("upcoming", "サイタマケン", 24),
)
ORDERER_ROLES: tuple[tuple[str, ...], ...] = (("administrator",), ("clerk",))


class AgreementSpec(NamedTuple):
    upper: str  # company key, as in companies.COMPANIES
    lower: str
    signed_offset: int  # days from the window's start, negative before it
    ended_offset: int | None  # likewise, None while the agreement runs


AGREEMENTS: tuple[AgreementSpec, ...] = (
    # The employer's parent on the live site, which may register its workers.
    AgreementSpec("rebar_1", "rebar_2", -400, None),
    # Above its lower company on the live and on the upcoming site.
    AgreementSpec("tobi_1", "earthwork_2", -200, None),
    # In another branch than its lower company in both trees that hold the
    # two, so it may register none of the lower company's workers.
    AgreementSpec("formwork_1", "rebar_2", -300, None),
    # Ended during the window.
    AgreementSpec("interior_1", "painting_2", -500, 30),
)


def build_orderers(
    rng: random.Random,
    ids: IdAllocator,
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
) -> tuple[list[Company], list[StaffMember], dict[str, str]]:
    """Build the orderer companies and their staff.

    Returns the companies, the staff and each site's orderer company id by
    site id.
    """
    companies = []
    staff = []
    orderer_of_site = {}
    for spec in ORDERERS:
        site, site_spec = sites[spec.site_key]
        town = catalogue.TOWNS[spec.town]
        company = Company(
            company_id=ids.allocate("company"),
            name=site_spec.orderer_name,
            name_kana=spec.name_kana,
            permit_issuer=None,
            permit_kind=None,
            permit_number=None,
            permit_trades=(),
            permit_date=None,
            kentaikyo_contractor_number=None,
            address=street_address(rng, town),
            phone=landline(rng, town.area_code),
            is_sole_proprietor=False,
        )
        companies.append(company)
        orderer_of_site[site.site_id] = company.company_id
        for roles in ORDERER_ROLES:
            staff.append(
                StaffMember(
                    staff_id=ids.allocate("staff"),
                    company_id=company.company_id,
                    roles=roles,
                )
            )
    return companies, staff, orderer_of_site


def build_agreements(
    companies: dict[str, tuple[Company, CompanySpec]], start: date
) -> tuple[CompanyAgreement, ...]:
    return tuple(
        CompanyAgreement(
            upper_company_id=companies[spec.upper][0].company_id,
            lower_company_id=companies[spec.lower][0].company_id,
            signed_on=start + timedelta(days=spec.signed_offset),
            ended_on=None
            if spec.ended_offset is None
            else start + timedelta(days=spec.ended_offset),
        )
        for spec in AGREEMENTS
    )
