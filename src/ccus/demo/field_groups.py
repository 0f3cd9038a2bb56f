"""Personal data of demo workers by field group: identity, contact, insurance, health.

Each builder returns one group as a plain dict, as ``Worker.groups`` stores it. The
qualifications and career groups come from ``ccus.demo.career``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from . import catalogue, names, qualifications
from .addresses import mobile, street_address
from .companies import CompanySpec
from .ids import IdAllocator
from .world import PRIME_KEYS

_EMAIL_DOMAINS = ("example.jp", "example.ne.jp", "example.co.jp")


def build_identity(
    rng: random.Random,
    nationality: str,
    female: bool,
    owned_company: CompanySpec | None,
) -> tuple[dict[str, Any], tuple[str, str], tuple[str, ...]]:
    """Return the identity group, the (given, family) romaji and the family-name entry.

    The romaji make up the e-mail address. The identity's birth date is None, and the
    caller sets it.
    """
    family: tuple[str, ...]
    given_name: tuple[str, ...]
    if nationality == "JP":
        family = (
            _owner_family(owned_company)
            if owned_company
            else rng.choice(names.FAMILY_NAMES)
        )
        given_name = rng.choice(
            names.FEMALE_GIVEN_NAMES if female else names.MALE_GIVEN_NAMES
        )
        name, name_kana = (
            f"{family[0]}　{given_name[0]}",
            f"{family[1]}　{given_name[1]}",
        )
        romaji = (given_name[2], family[2])
    else:
        foreign_names = names.FOREIGN_NAMES[nationality]
        family = rng.choice(foreign_names.family)
        given_name = rng.choice(foreign_names.female if female else foreign_names.male)
        if foreign_names.middle:
            parts = [family, foreign_names.middle[1 if female else 0], given_name]
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


def _owner_family(spec: CompanySpec) -> tuple[str, str, str]:
    """Return the family name that a sole proprietorship's trade name starts with.

    For example, the trade name 森塗装 starts with the family name 森.
    """
    matches = [entry for entry in names.FAMILY_NAMES if spec.name.startswith(entry[0])]
    if not matches:
        raise ValueError(
            f"no family name in names.FAMILY_NAMES starts the trade name {spec.name}"
        )
    return max(matches, key=lambda entry: len(entry[0]))


def build_contact(
    rng: random.Random,
    ids: IdAllocator,
    index: int,
    foreign: bool,
    spec: CompanySpec,
    romaji: tuple[str, str],
) -> dict[str, Any]:
    # Foreign workers usually live in housing that the employer provides near its
    # office.
    town = catalogue.TOWNS[spec.town] if foreign else rng.choice(catalogue.TOWNS)
    address = street_address(rng, town)
    if foreign or rng.random() < 0.35:
        building = rng.choice(catalogue.BUILDINGS)
        address += f"　{building}{rng.randint(1, 9)}0{rng.randint(1, 9)}"
    email = None
    if rng.random() < 0.5:
        email = f"{romaji[0]}.{romaji[1]}{index}@{rng.choice(_EMAIL_DOMAINS)}"
    return {
        "postal_code": town.postal_code,
        "address": address,
        "phone": mobile(rng, ids),
        "email": email,
    }


def build_emergency_contact(
    rng: random.Random,
    ids: IdAllocator,
    nationality: str,
    family: tuple[str, ...],
    female: bool,
    age: int,
    address: str,
) -> dict[str, Any]:
    if nationality != "JP":
        return _foreign_emergency_contact(rng, nationality, family, female)
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
        names.FEMALE_GIVEN_NAMES if relative_female else names.MALE_GIVEN_NAMES
    )
    return {
        "name": f"{family[0]}　{given_name[0]}",
        "relationship": relationship,
        "address": address
        if same_home
        else street_address(rng, rng.choice(catalogue.TOWNS)),
        "phone": mobile(rng, ids),
    }


def _foreign_emergency_contact(
    rng: random.Random, nationality: str, family: tuple[str, ...], female: bool
) -> dict[str, Any]:
    """Return a parent or spouse in the home country as the emergency contact."""
    foreign_names = names.FOREIGN_NAMES[nationality]
    relationship = rng.choice(("父", "母", "配偶者"))
    relative_female = relationship == "母" or (relationship == "配偶者" and not female)
    given_name = rng.choice(
        foreign_names.female if relative_female else foreign_names.male
    )
    subscriber = f"{rng.randrange(10**8, 10**9)}"
    phone = (
        f"{foreign_names.dialling_code}-{subscriber[:3]}-"
        f"{subscriber[3:6]}-{subscriber[6:]}"
    )
    return {
        "name": f"{family[0]}　{given_name[0]}",
        "relationship": relationship,
        "address": foreign_names.home,
        "phone": phone,
    }


def build_insurance(
    rng: random.Random,
    ids: IdAllocator,
    key: str,
    spec: CompanySpec,
    is_owner: bool,
    foreign: bool,
    age: int,
) -> dict[str, Any]:
    """Build the social-insurance group with the usual statuses for the employment type.

    Employees of corporations are insured under health insurance and 厚生年金. Some
    hold the 適用除外 approval and are insured by a 建設国保 instead, which is recorded
    as kensetsu_kokuho with status "exempt". Employees of sole proprietorships with
    fewer than five employees are outside 健康保険 and 厚生年金, so they have
    国民健康保険 and 国民年金, but employment insurance still covers them. Owners,
    including one-person masters, cannot be insured under employment insurance
    ("exempt").
    """
    statuses = _insurance_statuses(rng, key, spec, is_owner, age)
    # A few percent of workers are missing an insurance that applies to them. Foreign
    # workers are excluded because their residence programmes require enrolment.
    if not foreign:
        for field, probability in (
            ("employment_insurance_status", 0.03),
            ("pension_status", 0.015),
            ("health_insurance_status", 0.01),
        ):
            if statuses[field] == "enrolled" and rng.random() < probability:
                statuses[field] = "not_enrolled"
    kentaikyo, chutaikyo = _retirement_schemes(rng, key, spec, is_owner)
    employment = statuses["employment_insurance_status"]
    return {
        **statuses,
        "employment_insurance_number_last4": f"{rng.randrange(10000):04d}"
        if employment == "enrolled"
        else None,
        "kentaikyo_member": kentaikyo,
        "kentaikyo_member_number": ids.allocate("kentaikyo_member", 8)
        if kentaikyo
        else None,
        "chutaikyo_member": chutaikyo,
    }


def _insurance_statuses(
    rng: random.Random, key: str, spec: CompanySpec, is_owner: bool, age: int
) -> dict[str, str]:
    """Return the kinds and statuses of health, pension and employment insurance."""
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
    return {
        "health_insurance_kind": health_kind,
        "health_insurance_status": health,
        "pension_kind": pension_kind,
        "pension_status": pension,
        "employment_insurance_status": employment,
    }


def _retirement_schemes(
    rng: random.Random, key: str, spec: CompanySpec, is_owner: bool
) -> tuple[bool, bool]:
    """Return whether the worker is a member of 建退共 and of 中退共."""
    if key in PRIME_KEYS:
        chutaikyo = rng.random() < 0.7
        kentaikyo = not chutaikyo and spec.kentaikyo and rng.random() < 0.2
    elif is_owner:
        # One-person masters and owners can join 建退共 through a voluntary
        # association (任意組合).
        kentaikyo, chutaikyo = rng.random() < 0.6, False
    else:
        kentaikyo = spec.kentaikyo and rng.random() < 0.85
        # The dataset gives a worker 建退共 or 中退共 but never both, because both pay
        # the retirement allowance for the same employment.
        chutaikyo = not kentaikyo and not spec.sole_proprietor and rng.random() < 0.3
    return kentaikyo, chutaikyo


def build_health(
    rng: random.Random, trade: str, age: int, start: date
) -> dict[str, Any]:
    systolic = min(185, max(95, round(108 + 0.5 * age + rng.gauss(0, 12))))
    diastolic = min(115, max(55, round(0.62 * systolic + rng.gauss(0, 6))))
    special_kind = None
    checkup = qualifications.TRADES[trade].special_checkup
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
