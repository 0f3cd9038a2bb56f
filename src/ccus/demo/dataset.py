"""Deterministic, fictional CCUS dataset for demos and tests.

``build_dataset`` creates companies, their staff, workers with personal data by field
group, three sites (live, ended and upcoming) with subcontract trees, site rosters and
card-reader touches. All randomness comes from one ``random.Random(seed)``, so the same
arguments always produce an equal ``Dataset``.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from . import catalogue

JST = timezone(timedelta(hours=9))

# Touches are generated only for the first roster workers of each site (plus the target
# worker), so that large worker counts grow the roster but not the touch count.
LIVE_TOUCH_WORKERS = 300
ENDED_TOUCH_WORKERS = 100
ENDED_TOUCH_DAYS = 30  # the ended site's touches cover the last days of its period
MIN_WORKERS = (
    20  # the target worker and the sole proprietors' fixed head counts take 9 of them
)
MIN_DAYS = 14

DAYS_PER_YEAR = 215  # CCUS counts 215 work days as one year of experience
LEVEL2_DAYS = 3 * DAYS_PER_YEAR
LEVEL3_DAYS = 7 * DAYS_PER_YEAR
LEVEL4_DAYS = 10 * DAYS_PER_YEAR
FOREMAN_DAYS = 3 * DAYS_PER_YEAR  # foreman days needed for levels 3 and 4

PRIME_KEYS = ("live_prime", "past_prime", "upcoming_prime")


@dataclass(frozen=True, slots=True)
class Company:
    company_id: str
    name: str
    name_kana: str
    permit_issuer: str | None  # "minister", a prefecture name, or None without a permit
    permit_kind: str | None  # "general" or "special"
    permit_number: str | None
    permit_trades: tuple[str, ...]  # keys of catalogue.PERMIT_TRADES
    permit_date: date | None
    kentaikyo_contractor_number: str | None  # 建退共 共済契約者番号, 8 digits
    address: str
    phone: str
    is_sole_proprietor: bool


@dataclass(frozen=True, slots=True)
class StaffMember:
    staff_id: str
    company_id: str
    roles: tuple[str, ...]  # subset of ("administrator", "site_manager", "clerk")


@dataclass(frozen=True, slots=True)
class PastEmployment:
    company_id: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Worker:
    worker_id: str
    groups: dict[str, dict]  # personal data by field group, see _build_worker
    employer_id: str
    hire_date: date
    past_employers: tuple[PastEmployment, ...]


@dataclass(frozen=True, slots=True)
class Site:
    site_id: str
    name: str
    address: str
    prime_company_id: str
    orderer_name: str
    period_start: date  # accumulation period (就業履歴蓄積期間)
    period_end: date
    status: str  # "upcoming", "live" or "ended", relative to the dataset's window
    handover_date: date | None


@dataclass(frozen=True, slots=True)
class Subcontract:
    site_id: str
    company_id: str
    tier: int  # 0 for the prime
    parent_company_id: str | None  # None only for the prime


@dataclass(frozen=True, slots=True)
class RosterEntry:
    site_id: str
    worker_id: str
    company_id: str  # the worker's employer at that site
    trade: str  # key of catalogue.TRADES
    position: str | None  # "foreman", "team_leader", "safety_officer" or None
    entry_date: date
    induction_date: date
    exit_date: date | None


@dataclass(frozen=True, slots=True)
class CardTouch:
    site_id: str
    worker_id: str
    touched_at: datetime  # JST, +09:00
    direction: str  # "in" or "out"
    device_touch_id: str  # unique per site


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
    roster: tuple[RosterEntry, ...]
    touches: tuple[CardTouch, ...]
    holidays: tuple[date, ...]  # Japanese public holidays inside the window
    rain_days: tuple[date, ...]  # days the live site closed for rain

    def personas(self) -> dict[str, str]:
        """Return the worker, staff and site ids that demos and access tests use.

        "worker" is the first live-site roster worker without an exit date who works for
        a second-tier company and also appears on the ended site's roster. The staff ids
        belong to that worker's employer ("employer"), the live prime ("prime"), the
        employer's parent in the live tree ("upper"), the ended site's prime
        ("past_prime") and the first company outside both trees other than the employer
        ("outsider").
        Raises ValueError if the dataset has no such worker or company.
        """
        site_by_status = {site.status: site.site_id for site in self.sites}
        live, ended = site_by_status["live"], site_by_status["ended"]
        live_tree = {
            node.company_id: node for node in self.subcontracts if node.site_id == live
        }
        ended_tree = {
            node.company_id: node for node in self.subcontracts if node.site_id == ended
        }
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
        employer = target.company_id
        upper = live_tree[employer].parent_company_id
        live_prime = next(
            node.company_id for node in live_tree.values() if node.tier == 0
        )
        past_prime = next(
            node.company_id for node in ended_tree.values() if node.tier == 0
        )
        if past_prime in live_tree:
            raise ValueError(
                f"ended site's prime {past_prime} also has a node in the live site's tree"
            )
        outsider = next(
            (
                company.company_id
                for company in self.companies
                if company.company_id not in live_tree
                and company.company_id not in ended_tree
                and company.company_id != employer
            ),
            None,
        )
        if outsider is None:
            raise ValueError("no company outside the live and the ended site's trees")
        return {
            "worker": target.worker_id,
            "employer": self._staff_for(employer, "administrator"),
            "prime": self._staff_for(live_prime, "site_manager"),
            "upper": self._staff_for(upper, "site_manager"),
            "past_prime": self._staff_for(past_prime, "site_manager"),
            "outsider": self._staff_for(outsider, "administrator"),
            "site_id": live,
            "past_site_id": ended,
            "upcoming_site_id": site_by_status["upcoming"],
        }

    def _staff_for(self, company_id: str, role: str) -> str:
        """Return the first staff member of the company with the role, else its first staff member."""
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
    ids = _IdAllocator(rng)
    companies = _build_companies(rng, ids, start)
    staff = _build_staff(ids, companies)
    sites = _build_sites(ids, companies, start, days)
    subcontracts = _build_subcontracts(sites, companies)

    employer_keys = _assign_employers(rng, workers)
    people = _build_people(rng, ids, employer_keys, companies, start)

    roster = _build_rosters(rng, people, companies, sites, start, days)
    window_end = start + timedelta(days=days - 1)
    holidays = tuple(
        day for day in sorted(catalogue.HOLIDAYS) if start <= day <= window_end
    )
    rain_days = _pick_rain_days(rng, start, days)
    touches = _build_touches(
        rng, people[0].worker.worker_id, roster, sites, start, days, rain_days
    )

    return Dataset(
        seed=seed,
        start=start,
        days=days,
        companies=tuple(company for company, _ in companies.values()),
        staff=staff,
        workers=tuple(person.worker for person in people),
        sites=tuple(site for site, _ in sites.values()),
        subcontracts=subcontracts,
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
        days=_ENDED_END_OFFSET + ENDED_TOUCH_DAYS - 1
    )
    latest_start = catalogue.HOLIDAYS_LAST - timedelta(days=days - 1)
    if not earliest_start <= start <= latest_start:
        raise ValueError(
            f"invalid start {start} for a {days}-day window. The holiday calendar covers "
            f"{catalogue.HOLIDAYS_FIRST}..{catalogue.HOLIDAYS_LAST}, so start must be between "
            f"{earliest_start} and {latest_start}."
        )


class _IdAllocator:
    """Random fixed-width digit strings, unique per kind, such as 14-digit CCUS ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[str, set[str]] = {}

    def allocate(self, kind: str, digits: int = 14, leading_zero: bool = False) -> str:
        """Return an unused id of ``kind``. With ``leading_zero`` the first digit is 0."""
        used = self._used.setdefault(kind, set())
        high = 10 ** (digits - 1) if leading_zero else 10**digits
        while True:
            value = f"{self._rng.randrange(high):0{digits}d}"
            if value not in used:
                used.add(value)
                return value


# ---------------------------------------------------------------- companies, staff, sites


def _build_companies(
    rng: random.Random, ids: _IdAllocator, start: date
) -> dict[str, tuple[Company, catalogue.CompanySpec]]:
    companies = {}
    for spec in catalogue.COMPANIES:
        # The target worker's employer gets a leading zero so that tests catch loaders
        # that store ids as integers.
        company_id = ids.allocate("company", leading_zero=spec.key == "rebar_2")
        issuer, kind, permit_trades = spec.permit if spec.permit else (None, None, ())
        has_permit = spec.permit is not None
        town = catalogue.TOWNS[spec.town]
        address = _street_address(rng, town)
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
            phone=_landline(rng, town.area_code),
            is_sole_proprietor=spec.sole_proprietor,
        )
        companies[spec.key] = (company, spec)
    return companies


def _build_staff(
    ids: _IdAllocator, companies: dict[str, tuple[Company, catalogue.CompanySpec]]
) -> tuple[StaffMember, ...]:
    first_tier = {
        key
        for site in catalogue.SITES
        for key, parent in site.tree
        if parent in PRIME_KEYS
    }
    staff = []
    for key, (company, spec) in companies.items():
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


# Site periods as day offsets from the window. The live period starts _LIVE_START_OFFSET
# days before the window, the ended period runs from _ENDED_START_OFFSET to
# _ENDED_END_OFFSET days before it, and the upcoming period starts _UPCOMING_GAP days after
# the window ends.
_LIVE_START_OFFSET = 150
_ENDED_START_OFFSET = 240
_ENDED_END_OFFSET = 61
_UPCOMING_GAP = 30


def _build_sites(
    ids: _IdAllocator,
    companies: dict[str, tuple[Company, catalogue.CompanySpec]],
    start: date,
    days: int,
) -> dict[str, tuple[Site, catalogue.SiteSpec]]:
    window_end = start + timedelta(days=days - 1)
    upcoming_start = window_end + timedelta(days=_UPCOMING_GAP)
    ended_end = start - timedelta(days=_ENDED_END_OFFSET)
    periods = {
        "live": (
            start - timedelta(days=_LIVE_START_OFFSET),
            window_end + timedelta(days=365),
            "live",
            None,
        ),
        "ended": (
            start - timedelta(days=_ENDED_START_OFFSET),
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
            period_start=period_start,
            period_end=period_end,
            status=status,
            handover_date=handover,
        )
        sites[spec.key] = (site, spec)
    return sites


def _build_subcontracts(
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
    companies: dict[str, tuple[Company, catalogue.CompanySpec]],
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


def _assign_employers(rng: random.Random, count: int) -> list[str]:
    """Return one employer key per worker.

    Worker 0 is the target worker of ``Dataset.personas`` and works for the second-tier
    rebar company. Sole proprietors get their fixed head count next, because the social
    insurance rules in _insurance assume that they employ fewer than five people.
    The rest are drawn by the weights in catalogue.COMPANIES.
    """
    keys = ["rebar_2"]
    for spec in catalogue.COMPANIES:
        if spec.sole_proprietor:
            keys.extend([spec.key] * spec.workers)
    pool = [spec for spec in catalogue.COMPANIES if not spec.sole_proprietor]
    drawn = rng.choices(
        [spec.key for spec in pool],
        weights=[spec.workers for spec in pool],
        k=count - len(keys),
    )
    return keys + drawn


def _street_address(rng: random.Random, town: catalogue.Town) -> str:
    return (
        f"{town.prefecture}{town.city}{town.town}"
        f"{rng.randint(1, 6)}丁目{rng.randint(1, 30)}番{rng.randint(1, 25)}号"
    )


def _landline(rng: random.Random, area_code: str) -> str:
    local_digits = 10 - len(area_code)  # Japanese landline numbers have 10 digits
    exchange = 4 if local_digits == 8 else local_digits - 4
    number = f"{rng.randrange(2 * 10 ** (local_digits - 1), 10**local_digits)}"
    return f"{area_code}-{number[:exchange]}-{number[exchange:]}"


# ---------------------------------------------------------------- workers


@dataclass(slots=True)
class _Person:
    """A generated worker with the facts that rosters and touches need."""

    worker: Worker
    employer_key: str
    trade: str  # primary trade
    level: int
    foreman_days: int


_AGE_BANDS = ((18, 29, 12), (30, 39, 17), (40, 49, 25), (50, 59, 23), (60, 72, 23))
_EMAIL_DOMAINS = ("example.jp", "example.ne.jp", "example.co.jp")
_FOREIGN_SHARE = 0.12  # share of foreign workers at corporate subcontractors


def _build_people(
    rng: random.Random,
    ids: _IdAllocator,
    employer_keys: list[str],
    companies: dict[str, tuple[Company, catalogue.CompanySpec]],
    start: date,
) -> list[_Person]:
    corporate_ids = [
        company.company_id
        for company, spec in companies.values()
        if not spec.sole_proprietor
    ]
    seen_keys: set[str] = set()
    people = []
    for index, key in enumerate(employer_keys):
        # The first worker of a sole proprietorship is its owner.
        is_owner = companies[key][1].sole_proprietor and key not in seen_keys
        seen_keys.add(key)
        people.append(
            _build_worker(
                rng, ids, index, key, is_owner, companies[key], corporate_ids, start
            )
        )
    return people


def _build_worker(
    rng: random.Random,
    ids: _IdAllocator,
    index: int,
    key: str,
    is_owner: bool,
    employer: tuple[Company, catalogue.CompanySpec],
    corporate_ids: list[str],
    start: date,
) -> _Person:
    """Build worker ``index``. Worker 0 is the target of ``Dataset.personas``."""
    company, spec = employer
    is_target = index == 0
    foreign = (
        not is_target
        and not spec.sole_proprietor
        and key not in PRIME_KEYS
        and rng.random() < _FOREIGN_SHARE
    )
    nationality = _pick_nationality(rng) if foreign else "JP"
    if foreign:
        age = rng.randint(20, 38)
    elif is_target:
        age = rng.randint(32, 48)
    else:
        low, high, _ = rng.choices(
            _AGE_BANDS, weights=[band[2] for band in _AGE_BANDS]
        )[0]
        age = rng.randint(low, high)
    birth_date = start - timedelta(days=age * 365 + age // 4 + rng.randrange(365))
    age = _age_on(birth_date, start)
    female = rng.random() < (0.10 if foreign else 0.04)
    trade = rng.choice(spec.trades)

    identity, romaji, family = _identity(
        rng, nationality, female, spec if is_owner else None
    )
    identity["birth_date"] = birth_date
    career = _career(rng, trade, age, start, foreign, is_target)
    contact = _contact(rng, ids, index, foreign, spec, romaji)
    tenure_years = career.years if foreign else rng.uniform(0.1, career.years)
    if is_target:
        # The target must have been employed before the ended site's period began.
        tenure_years = max(tenure_years, (_ENDED_START_OFFSET + 200) / 365)
    hire_date = start - timedelta(days=max(14, int(tenure_years * 365.25)))
    past = (
        ()
        if foreign
        else _past_employers(
            rng, career.start, hire_date, company.company_id, corporate_ids
        )
    )

    groups = {
        "identity": identity,
        "contact": contact,
        "emergency_contact": _emergency_contact(
            rng, ids, nationality, family, female, age, contact["address"]
        ),
        "insurance": _insurance(rng, ids, key, spec, is_owner, foreign, age),
        "health": _health(rng, trade, age, start),
        "qualifications": career.qualifications,
        "career": {"trades": career.trades, "awards": career.awards},
    }
    worker = Worker(
        worker_id=ids.allocate("worker", leading_zero=is_target),
        groups=groups,
        employer_id=company.company_id,
        hire_date=hire_date,
        past_employers=past,
    )
    return _Person(worker, key, trade, career.level, career.foreman_days)


def _age_on(birth_date: date, day: date) -> int:
    return (
        day.year
        - birth_date.year
        - ((day.month, day.day) < (birth_date.month, birth_date.day))
    )


def _pick_nationality(rng: random.Random) -> str:
    codes = [code for code, _ in catalogue.FOREIGN_NATIONALITY_WEIGHTS]
    weights = [weight for _, weight in catalogue.FOREIGN_NATIONALITY_WEIGHTS]
    return rng.choices(codes, weights=weights)[0]


def _identity(
    rng: random.Random,
    nationality: str,
    female: bool,
    owned_company: catalogue.CompanySpec | None,
) -> tuple[dict, tuple[str, str], tuple[str, ...]]:
    """Return the identity group, the (given, family) romaji for e-mail and the family-name entry."""
    if nationality == "JP":
        family = (
            _owner_family(owned_company)
            if owned_company
            else rng.choice(catalogue.FAMILY_NAMES)
        )
        given_name = rng.choice(
            catalogue.FEMALE_GIVEN_NAMES if female else catalogue.MALE_GIVEN_NAMES
        )
        name, name_kana = (
            f"{family[0]}　{given_name[0]}",
            f"{family[1]}　{given_name[1]}",
        )
        romaji = (given_name[2], family[2])
    else:
        names = catalogue.FOREIGN_NAMES[nationality]
        family = rng.choice(names.family)
        given_name = rng.choice(names.female if female else names.male)
        if names.middle:
            parts = [family, names.middle[1 if female else 0], given_name]
        else:
            parts = [family, given_name]
        # Foreign names are registered in katakana transliteration, family name first.
        name = name_kana = "　".join(part[0] for part in parts)
        romaji = (given_name[1], family[1])
    identity = {
        "name": name,
        "name_kana": name_kana,
        "birth_date": None,
        "gender": "female" if female else "male",
        "nationality": nationality,
        "photo": None,
    }
    return identity, romaji, family


def _owner_family(spec: catalogue.CompanySpec) -> tuple[str, str, str]:
    """Return the family name that a sole proprietorship's trade name starts with, such as 森 for 森塗装."""
    matches = [
        entry for entry in catalogue.FAMILY_NAMES if spec.name.startswith(entry[0])
    ]
    if not matches:
        raise ValueError(
            f"no family name in catalogue.FAMILY_NAMES starts the trade name {spec.name}"
        )
    return max(matches, key=lambda entry: len(entry[0]))


def _mobile(rng: random.Random, ids: _IdAllocator) -> str:
    # The 8 subscriber digits are unique across the dataset, so every mobile number is unique.
    digits = ids.allocate("mobile", 8)
    return f"{rng.choice(('090', '080', '070'))}-{digits[:4]}-{digits[4:]}"


def _contact(
    rng: random.Random,
    ids: _IdAllocator,
    index: int,
    foreign: bool,
    spec: catalogue.CompanySpec,
    romaji: tuple[str, str],
) -> dict:
    # Foreign workers usually live in housing that the employer provides near its office.
    town = catalogue.TOWNS[spec.town] if foreign else rng.choice(catalogue.TOWNS)
    address = _street_address(rng, town)
    if foreign or rng.random() < 0.35:
        address += f"　{rng.choice(catalogue.BUILDINGS)}{rng.randint(1, 9)}0{rng.randint(1, 9)}"
    email = None
    if rng.random() < 0.5:
        email = f"{romaji[0]}.{romaji[1]}{index}@{rng.choice(_EMAIL_DOMAINS)}"
    return {
        "postal_code": town.postal_code,
        "address": address,
        "phone": _mobile(rng, ids),
        "email": email,
    }


def _emergency_contact(
    rng: random.Random,
    ids: _IdAllocator,
    nationality: str,
    family: tuple[str, ...],
    female: bool,
    age: int,
    address: str,
) -> dict:
    if nationality != "JP":
        names = catalogue.FOREIGN_NAMES[nationality]
        relationship = rng.choice(("父", "母", "配偶者"))
        relative_female = relationship == "母" or (
            relationship == "配偶者" and not female
        )
        given_name = rng.choice(names.female if relative_female else names.male)
        subscriber = f"{rng.randrange(10**8, 10**9)}"
        return {
            "name": f"{family[0]}　{given_name[0]}",
            "relationship": relationship,
            "address": names.home,
            "phone": f"{names.dialling_code}-{subscriber[:3]}-{subscriber[3:6]}-{subscriber[6:]}",
        }
    draw = rng.random()
    if age >= 25 and draw < 0.55:
        relationship, relative_female, same_home = "配偶者", not female, True
    elif age >= 50 and draw < 0.8:
        relative_female = rng.random() < 0.5
        relationship, same_home = "子", rng.random() < 0.5
    elif age < 50 and draw < 0.85:
        relative_female = rng.random() < 0.5
        relationship, same_home = ("母" if relative_female else "父"), False
    else:
        relative_female = rng.random() < 0.5
        relationship, same_home = ("姉" if relative_female else "兄"), False
    given_name = rng.choice(
        catalogue.FEMALE_GIVEN_NAMES if relative_female else catalogue.MALE_GIVEN_NAMES
    )
    return {
        "name": f"{family[0]}　{given_name[0]}",
        "relationship": relationship,
        "address": address
        if same_home
        else _street_address(rng, rng.choice(catalogue.TOWNS)),
        "phone": _mobile(rng, ids),
    }


def _insurance(
    rng: random.Random,
    ids: _IdAllocator,
    key: str,
    spec: catalogue.CompanySpec,
    is_owner: bool,
    foreign: bool,
    age: int,
) -> dict:
    """Build the social-insurance group from the usual combinations for the employment type.

    Employees of corporations are insured under health insurance and 厚生年金. Some hold
    the 適用除外 approval and are insured by a 建設国保 instead, which is recorded as
    kensetsu_kokuho with status "exempt". Employees of sole proprietorships with fewer
    than five employees are outside 健康保険 and 厚生年金, so they have 国民健康保険 and
    国民年金, but employment insurance still covers them. Owners, including one-person
    masters, cannot be insured under employment insurance ("exempt").
    """
    if spec.sole_proprietor:
        health_kind, pension_kind = "kokumin_kenko_hoken", "kokumin_nenkin"
        health, pension = "enrolled", "enrolled"
        employment = "exempt" if is_owner else "enrolled"
    else:
        pension_kind, pension, employment = "kosei_nenkin", "enrolled", "enrolled"
        draw = rng.random()
        if key in PRIME_KEYS:
            health_kind, health = (
                ("kenpo_kumiai" if draw < 0.8 else "kyokai_kenpo"),
                "enrolled",
            )
        elif draw < 0.7:
            health_kind, health = "kyokai_kenpo", "enrolled"
        elif draw < 0.95:
            health_kind, health = "kensetsu_kokuho", "exempt"
        else:
            health_kind, health = "kenpo_kumiai", "enrolled"
        # 厚生年金 coverage ends at 70. Employment insurance covers workers aged 65 and
        # over as 高年齢被保険者, so age does not change its status.
        if age >= 70:
            pension = "exempt"
    # A few percent of workers are missing an insurance that applies to them. Foreign
    # workers are excluded because their residence programmes require enrolment.
    if not foreign:
        if employment == "enrolled" and rng.random() < 0.03:
            employment = "not_enrolled"
        if pension == "enrolled" and rng.random() < 0.015:
            pension = "not_enrolled"
        if health == "enrolled" and rng.random() < 0.01:
            health = "not_enrolled"

    if key in PRIME_KEYS:
        chutaikyo = rng.random() < 0.7
        kentaikyo = not chutaikyo and spec.kentaikyo and rng.random() < 0.2
    elif is_owner:
        # One-person masters and owners can join 建退共 through a voluntary association (任意組合).
        kentaikyo, chutaikyo = rng.random() < 0.6, False
    else:
        kentaikyo = spec.kentaikyo and rng.random() < 0.85
        # The dataset gives a worker 建退共 or 中退共 but never both, because both pay the
        # retirement allowance for the same employment.
        chutaikyo = not kentaikyo and not spec.sole_proprietor and rng.random() < 0.3
    return {
        "health_insurance_kind": health_kind,
        "health_insurance_status": health,
        "pension_kind": pension_kind,
        "pension_status": pension,
        "employment_insurance_status": employment,
        "employment_insurance_number_last4": f"{rng.randrange(10000):04d}"
        if employment == "enrolled"
        else None,
        "kentaikyo_member": kentaikyo,
        "kentaikyo_member_number": ids.allocate("kentaikyo_member", 8)
        if kentaikyo
        else None,
        "chutaikyo_member": chutaikyo,
    }


def _health(rng: random.Random, trade: str, age: int, start: date) -> dict:
    systolic = min(185, max(95, round(108 + 0.5 * age + rng.gauss(0, 12))))
    diastolic = min(115, max(55, round(0.62 * systolic + rng.gauss(0, 6))))
    special_kind = None
    checkup = catalogue.TRADES[trade].special_checkup
    if checkup is not None and rng.random() < checkup[1]:
        special_kind = checkup[0]
    if trade == "earthwork" and rng.random() < 0.05:
        special_kind = "電離放射線健康診断"  # earthwork crews on decontamination works
    # General checkups are due once a year, and most special checkups every six months.
    special_date = (
        start - timedelta(days=rng.randrange(10, 180)) if special_kind else None
    )
    return {
        "last_checkup_date": start - timedelta(days=rng.randrange(15, 365)),
        "blood_pressure_systolic": systolic,
        "blood_pressure_diastolic": diastolic,
        "blood_type": rng.choices(("A", "O", "B", "AB"), weights=(40, 30, 20, 10))[0],
        "special_checkup_date": special_date,
        "special_checkup_kind": special_kind,
    }


@dataclass(slots=True)
class _Career:
    trades: list[dict]
    awards: list[str]
    qualifications: list[dict]
    level: int
    foreman_days: int
    years: float  # years since the worker started in construction
    start: date  # career start


def _career(
    rng: random.Random,
    trade_code: str,
    age: int,
    start: date,
    foreign: bool,
    is_target: bool,
) -> _Career:
    """Build trades, qualifications and awards whose levels follow catalogue.Trade's rule.

    Only verified qualifications count towards a level, and some workers stay one level
    below what they qualify for because they have not yet applied for the evaluation.
    """
    trade = catalogue.TRADES[trade_code]
    if foreign:
        years = rng.uniform(0.3, min(5.0, age - 19))
    else:
        years = max(0.2, (age - rng.randint(16, 24)) * rng.uniform(0.5, 1.0))
    if is_target:
        years = max(years, 3.0)
    work_days = max(1, int(years * rng.uniform(170, 230)))
    foreman_days = 0
    if not foreign and years >= 5 and work_days > LEVEL2_DAYS and rng.random() < 0.55:
        foreman_days = int((work_days - LEVEL2_DAYS) * rng.uniform(0.3, 0.8))
    career_start = start - timedelta(days=int(years * 365.25))
    acquired: dict[str, date] = {}  # qualification code -> acquisition date

    def acquire(code: str) -> None:
        earliest = career_start + timedelta(days=int(_experience_needed(code) * 365))
        latest = start - timedelta(days=30)
        if code not in acquired and earliest <= latest:
            acquired[code] = earliest + timedelta(
                days=rng.randrange((latest - earliest).days + 1)
            )

    if years >= 1:
        complete = rng.random() < 0.85
        for code in trade.level2:
            if complete or rng.random() < 0.3:
                acquire(code)
    if (
        years >= 7
        and all(code in acquired for code in trade.level2)
        and rng.random() < 0.6
    ):
        for code in trade.level3:
            if code != "shokucho":
                acquire(code)
    if foreman_days > 0 or (years >= 3 and rng.random() < 0.1):
        acquire("shokucho")
    qualifies_for_core = work_days >= LEVEL4_DAYS and foreman_days >= FOREMAN_DAYS
    has_level3_codes = all(code in acquired for code in trade.level3)
    if trade.level4 and qualifies_for_core and has_level3_codes and rng.random() < 0.5:
        for code in trade.level4:
            acquire(code)
    for code, probability in trade.extras:
        if rng.random() < probability:
            acquire(code)
    if not foreign and years >= 8 and rng.random() < 0.05:
        acquire("kenchiku_sekou2")

    qualifications = []
    for code, acquired_on in sorted(
        acquired.items(), key=lambda item: (item[1], item[0])
    ):
        spec = catalogue.QUALIFICATIONS[code]
        qualifications.append(
            {
                "kind": spec.kind,
                "code": code,
                "name": spec.name,
                "acquired_on": acquired_on,
                "verified": rng.random() < 0.92,
            }
        )
    verified = {entry["code"] for entry in qualifications if entry["verified"]}
    level = _evaluate_level(trade, work_days, foreman_days, verified)
    if level > 1 and rng.random() < 0.15:
        level -= 1

    trades = [
        {
            "trade": trade_code,
            "level": level,
            "work_days": work_days,
            "foreman_days": foreman_days,
        }
    ]
    if not foreign and work_days > 200 and rng.random() < 0.2:
        trades.append(
            {
                "trade": trade.related,
                "level": 1,
                "work_days": rng.randint(20, min(400, work_days // 3)),
                "foreman_days": 0,
            }
        )
    awards = []
    if level == 4 and rng.random() < 0.5:
        awards.append(rng.choice(catalogue.AWARDS[:2]))
    if level >= 3 and rng.random() < 0.2:
        awards.append(rng.choice(catalogue.AWARDS[2:4]))
    if rng.random() < 0.03:
        awards.append(catalogue.AWARDS[4])
    return _Career(
        trades, awards, qualifications, level, foreman_days, years, career_start
    )


def _experience_needed(code: str) -> float:
    """Return the years of experience after which the dataset lets a worker obtain a qualification.

    The values approximate the exam eligibility rules: 2級技能士 after 2 years, 1級技能士
    after 7, 登録基幹技能者 after 10 and 職長教育 once the worker can lead a crew.
    """
    qualification = catalogue.QUALIFICATIONS[code]
    if qualification.kind == "core_skilled_worker":
        return 10.0
    if qualification.name.startswith("1級") or code == "jis_welding_pro":
        return 7.0
    if qualification.name.startswith("2級"):
        return 2.0
    if code == "shokucho":
        return 3.0
    return 0.1


def _evaluate_level(
    trade: catalogue.Trade, work_days: int, foreman_days: int, verified: set[str]
) -> int:
    """Return the highest CCUS level that the days and verified qualifications reach."""
    level = 1
    if work_days >= LEVEL2_DAYS and verified.issuperset(trade.level2):
        level = 2
        if (
            work_days >= LEVEL3_DAYS
            and foreman_days >= FOREMAN_DAYS
            and verified.issuperset(trade.level3)
        ):
            level = 3
            if (
                trade.level4
                and work_days >= LEVEL4_DAYS
                and verified.issuperset(trade.level4)
            ):
                level = 4
    return level


def _past_employers(
    rng: random.Random,
    career_start: date,
    hire_date: date,
    employer_id: str,
    corporate_ids: list[str],
) -> tuple[PastEmployment, ...]:
    """Split the time between career start and hire date into up to three earlier jobs."""
    span = (hire_date - career_start).days
    if span < 400:
        return ()
    count = rng.choice((0, 1, 1, 2, 2, 3))
    if count == 0:
        return ()
    segment = span // count
    jobs = []
    previous = employer_id
    for number in range(count):
        job_start = career_start + timedelta(
            days=number * segment + rng.randrange(segment // 4 + 1)
        )
        job_end = career_start + timedelta(
            days=(number + 1) * segment - 1 - rng.randrange(segment // 4 + 1)
        )
        company_id = rng.choice(corporate_ids)
        while company_id in (employer_id, previous):
            company_id = rng.choice(corporate_ids)
        jobs.append(PastEmployment(company_id=company_id, start=job_start, end=job_end))
        previous = company_id
    return tuple(jobs)


# ---------------------------------------------------------------- rosters


def _build_rosters(
    rng: random.Random,
    people: list[_Person],
    companies: dict[str, tuple[Company, catalogue.CompanySpec]],
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
    start: date,
    days: int,
) -> tuple[RosterEntry, ...]:
    """Put workers of each site's tree companies on that site's roster, in worker order.

    Most live-tree workers are on the live roster and a few leave during the window.
    About half of the ended tree's workers hired before their entry date are on the ended
    roster, and most stay until its period ends. Some upcoming-tree workers are already
    registered for the upcoming site from its first day. Worker 0, the target, is always
    on the live and the ended roster and never leaves the live one.
    """
    window_end = start + timedelta(days=days - 1)
    roster: list[RosterEntry] = []
    for site, spec in sites.values():
        tree = {key for key, _ in spec.tree}
        rows: list[tuple[_Person, date, date, date | None]] = []
        for index, person in enumerate(people):
            if person.employer_key not in tree:
                continue
            if spec.key == "live":
                row = _live_dates(
                    rng, site, start, days, window_end, person, is_target=index == 0
                )
            elif spec.key == "ended":
                row = _ended_dates(rng, site, person, is_target=index == 0)
            else:
                row = (
                    (site.period_start, site.period_start, None)
                    if rng.random() < 0.3 and len(rows) < 40
                    else None
                )
            if row is not None:
                rows.append((person, *row))
        positions = _assign_positions(rng, rows)
        for (person, entry_date, induction_date, exit_date), position in zip(
            rows, positions
        ):
            roster.append(
                RosterEntry(
                    site_id=site.site_id,
                    worker_id=person.worker.worker_id,
                    company_id=companies[person.employer_key][0].company_id,
                    trade=person.trade,
                    position=position,
                    entry_date=entry_date,
                    induction_date=induction_date,
                    exit_date=exit_date,
                )
            )
    return tuple(roster)


def _live_dates(
    rng: random.Random,
    site: Site,
    start: date,
    days: int,
    window_end: date,
    person: _Person,
    is_target: bool,
) -> tuple[date, date, date | None] | None:
    if not is_target and rng.random() >= 0.88:
        return None
    before_window = (start - site.period_start).days
    if is_target:
        entry = site.period_start + timedelta(days=rng.randrange(before_window - 14))
    elif rng.random() < 0.85:
        entry = site.period_start + timedelta(days=rng.randrange(before_window))
    else:
        entry = start + timedelta(days=rng.randrange(max(1, days - 20)))
    entry = max(entry, person.worker.hire_date)
    # Induction (新規入場者教育) is usually on the entry day and sometimes the day after.
    induction = (
        entry + timedelta(days=1) if not is_target and rng.random() < 0.05 else entry
    )
    exit_date = None
    if not is_target and rng.random() < 0.05:
        earliest_exit = max(induction, start) + timedelta(days=3)
        if earliest_exit < window_end:
            exit_date = earliest_exit + timedelta(
                days=rng.randrange((window_end - earliest_exit).days)
            )
    return entry, induction, exit_date


def _ended_dates(
    rng: random.Random, site: Site, person: _Person, is_target: bool
) -> tuple[date, date, date | None] | None:
    if not is_target and rng.random() >= 0.5:
        return None
    period_days = (site.period_end - site.period_start).days
    entry = site.period_start + timedelta(
        days=rng.randrange(60 if is_target else period_days - 40)
    )
    if person.worker.hire_date > entry:
        return None
    exit_date = site.period_end
    if not is_target and rng.random() < 0.1:
        exit_date = entry + timedelta(
            days=rng.randrange(10, (site.period_end - entry).days)
        )
    return entry, entry, exit_date


def _assign_positions(
    rng: random.Random, rows: list[tuple[_Person, date, date, date | None]]
) -> list[str | None]:
    """Return a position per roster row, chosen separately for each company.

    The worker with the most foreman days becomes 安全衛生責任者 (safety_officer), and
    about one in eight further workers with foreman days becomes 職長 (foreman). Some
    other workers at level 2 or above become 班長 (team_leader).
    """
    by_company: dict[str, list[int]] = {}
    for row_index, row in enumerate(rows):
        by_company.setdefault(row[0].employer_key, []).append(row_index)
    positions: list[str | None] = [None] * len(rows)
    for row_indexes in by_company.values():
        leaders = sorted(
            (i for i in row_indexes if rows[i][0].foreman_days > 0),
            key=lambda i: -rows[i][0].foreman_days,
        )
        leader_count = math.ceil(len(row_indexes) / 8)
        for rank, row_index in enumerate(leaders[:leader_count]):
            positions[row_index] = "safety_officer" if rank == 0 else "foreman"
        for row_index in row_indexes:
            if (
                positions[row_index] is None
                and rows[row_index][0].level >= 2
                and rng.random() < 0.1
            ):
                positions[row_index] = "team_leader"
    return positions


# ---------------------------------------------------------------- card touches


def _pick_rain_days(rng: random.Random, start: date, days: int) -> tuple[date, ...]:
    """Pick about one rain closure per 22 days among the window's Monday-to-Saturday workdays."""
    workdays = [
        day
        for day in (start + timedelta(days=offset) for offset in range(days))
        if day.weekday() < 6 and day not in catalogue.HOLIDAYS
    ]
    return tuple(sorted(rng.sample(workdays, min(len(workdays), round(days / 22)))))


def _build_touches(
    rng: random.Random,
    target_id: str,
    roster: tuple[RosterEntry, ...],
    sites: dict[str, tuple[Site, catalogue.SiteSpec]],
    start: date,
    days: int,
    rain_days: tuple[date, ...],
) -> tuple[CardTouch, ...]:
    """Generate touches for the live site over the window and for the ended site's last days."""
    live, ended = sites["live"][0], sites["ended"][0]
    window_end = start + timedelta(days=days - 1)

    live_entries = _touching_entries(
        roster, live.site_id, target_id, LIVE_TOUCH_WORKERS
    )
    live_days = _attendance_factors(rng, start, window_end, set(rain_days))
    crew, nights = _plan_night_shifts(rng, live_entries, target_id, live_days)
    live_touches = _site_touches(rng, live_entries, live_days, crew, nights)

    ended_first = ended.period_end - timedelta(days=ENDED_TOUCH_DAYS - 1)
    ended_entries = _touching_entries(
        roster, ended.site_id, target_id, ENDED_TOUCH_WORKERS
    )
    ended_days = _attendance_factors(rng, ended_first, ended.period_end, set())
    ended_touches = _site_touches(rng, ended_entries, ended_days, set(), set())

    return _number_touches(live.site_id, live_touches) + _number_touches(
        ended.site_id, ended_touches
    )


def _touching_entries(
    roster: tuple[RosterEntry, ...], site_id: str, target_id: str, limit: int
) -> list[RosterEntry]:
    """Return the site's first ``limit`` roster entries, plus the target's entry if it is later."""
    entries = [entry for entry in roster if entry.site_id == site_id]
    chosen = entries[:limit]
    if all(entry.worker_id != target_id for entry in chosen):
        chosen += [entry for entry in entries[limit:] if entry.worker_id == target_id]
    return chosen


def _attendance_factors(
    rng: random.Random, first: date, last: date, rain_days: set[date]
) -> dict[date, float]:
    """Map each day to the share of the usual crew that works. A share of 0 means the site is closed.

    Sites close on rain days and on most Sundays and holidays, where a reduced crew
    sometimes works. Saturdays are open with about half the crew.
    """
    factors = {}
    day = first
    while day <= last:
        if day in rain_days:
            factor = 0.0
        elif day.weekday() == 6 or day in catalogue.HOLIDAYS:
            factor = 0.2 if rng.random() < 0.15 else 0.0
        elif day.weekday() == 5:
            factor = 0.5
        else:
            factor = 1.0
        factors[day] = factor
        day += timedelta(days=1)
    return factors


def _plan_night_shifts(
    rng: random.Random,
    entries: list[RosterEntry],
    target_id: str,
    factors: dict[date, float],
) -> tuple[set[str], set[date]]:
    """Choose a night crew of up to five workers and the weeknights on which it works.

    A night shift starts on the chosen day and ends the next morning, so the window's last
    day is never a night. At least one night is chosen whenever a weekday is open.
    """
    candidates = [
        entry
        for entry in entries
        if entry.worker_id != target_id and entry.exit_date is None
    ]
    crew = [
        entry.worker_id for entry in candidates if entry.trade in ("earthwork", "tobi")
    ][:5]
    if len(crew) < 2:
        crew = [entry.worker_id for entry in candidates][:5]
    last = max(factors)
    eligible = [
        day
        for day, factor in factors.items()
        if day.weekday() < 5 and factor > 0 and day < last
    ]
    nights = {day for day in eligible if rng.random() < 0.3}
    if not nights and eligible:
        nights.add(eligible[0])
    return set(crew), nights


def _site_touches(
    rng: random.Random,
    entries: list[RosterEntry],
    factors: dict[date, float],
    crew: set[str],
    nights: set[date],
) -> list[tuple[datetime, str, str]]:
    """Generate (touched_at, worker_id, direction) triples for each entry between induction and exit.

    Day shifts touch in at 07:40-08:20 and out at 17:00-18:30, or until 21:00 with
    overtime. Night shifts touch in at 20:00-22:00 and out at 05:00-07:00 the next day,
    and the crew rests the day after. About 1% of day-shift out-touches are missing, and
    about 1% of in-touches and 0.5% of out-touches are doubled 20-180 seconds apart, as
    happens at real card readers.
    """
    first_day, last_day = min(factors), max(factors)
    midnights = {
        day: datetime(day.year, day.month, day.day, tzinfo=JST) for day in factors
    }
    touches: list[tuple[datetime, str, str]] = []
    for entry in entries:
        worker_id = entry.worker_id
        first = max(entry.induction_date, first_day)
        last = min(entry.exit_date or last_day, last_day)
        attendance = rng.uniform(0.82, 0.97)
        night_worker = worker_id in crew
        resting: set[date] = set()
        for day, factor in factors.items():
            if day < first or day > last:
                continue
            next_day = day + timedelta(days=1)
            if night_worker and day in nights and next_day <= last:
                touches.append(
                    (
                        midnights[day]
                        + timedelta(seconds=rng.randint(20 * 3600, 22 * 3600)),
                        worker_id,
                        "in",
                    )
                )
                out_at = midnights[next_day] + timedelta(
                    seconds=rng.randint(5 * 3600, 7 * 3600)
                )
                touches.append((out_at, worker_id, "out"))
                resting.add(next_day)
                continue
            if day in resting or factor == 0 or rng.random() >= attendance * factor:
                continue
            in_at = midnights[day] + timedelta(
                seconds=rng.randint(7 * 3600 + 40 * 60, 8 * 3600 + 20 * 60 - 1)
            )
            touches.append((in_at, worker_id, "in"))
            if rng.random() < 0.01:
                touches.append(
                    (in_at + timedelta(seconds=rng.randint(20, 180)), worker_id, "in")
                )
            if rng.random() < 0.012:
                continue  # the worker forgot to touch out
            if rng.random() < 0.07:
                out_seconds = rng.randint(18 * 3600 + 30 * 60, 21 * 3600)
            else:
                out_seconds = rng.randint(17 * 3600, 18 * 3600 + 30 * 60 - 1)
            out_at = midnights[day] + timedelta(seconds=out_seconds)
            touches.append((out_at, worker_id, "out"))
            if rng.random() < 0.005:
                touches.append(
                    (out_at + timedelta(seconds=rng.randint(20, 180)), worker_id, "out")
                )
    return touches


def _number_touches(
    site_id: str, touches: list[tuple[datetime, str, str]]
) -> tuple[CardTouch, ...]:
    """Sort a site's touches by time and number them as the card reader would."""
    touches.sort()
    return tuple(
        CardTouch(
            site_id=site_id,
            worker_id=worker_id,
            touched_at=touched_at,
            direction=direction,
            device_touch_id=f"{site_id}-{number:09d}",
        )
        for number, (touched_at, worker_id, direction) in enumerate(touches, start=1)
    )
