"""Demo workers: their employers, personal data, careers and past employment."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import names
from .career import Career, build_career
from .companies import COMPANIES, CompanySpec
from .field_groups import (
    build_contact,
    build_emergency_contact,
    build_health,
    build_identity,
    build_insurance,
)
from .ids import IdAllocator
from .records import Company, PastEmployment, Worker
from .world import ENDED_START_OFFSET, PRIME_KEYS


@dataclass(slots=True)
class Person:
    """A generated worker with the facts that rosters and touches need."""

    worker: Worker
    employer_key: str
    trade: str  # primary trade
    level: int
    foreman_days: int


_AGE_BANDS = ((18, 29, 12), (30, 39, 17), (40, 49, 25), (50, 59, 23), (60, 72, 23))
_FOREIGN_SHARE = 0.12  # share of foreign workers at corporate subcontractors


def assign_employers(rng: random.Random, count: int) -> list[str]:
    """Return one employer key per worker.

    Worker 0 is the target worker of ``Dataset.personas`` and works for the second-tier
    rebar company. Sole proprietors get their fixed head count next, because the social
    insurance rules in field_groups.build_insurance assume that they employ fewer than
    five people. The rest are drawn by the weights in companies.COMPANIES.
    """
    keys = ["rebar_2"]
    for spec in COMPANIES:
        if spec.sole_proprietor:
            keys.extend([spec.key] * spec.workers)
    pool = [spec for spec in COMPANIES if not spec.sole_proprietor]
    drawn = rng.choices(
        [spec.key for spec in pool],
        weights=[spec.workers for spec in pool],
        k=count - len(keys),
    )
    return keys + drawn


def build_people(
    rng: random.Random,
    ids: IdAllocator,
    employer_keys: list[str],
    companies: dict[str, tuple[Company, CompanySpec]],
    start: date,
) -> list[Person]:
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
    ids: IdAllocator,
    index: int,
    key: str,
    is_owner: bool,
    employer: tuple[Company, CompanySpec],
    corporate_ids: list[str],
    start: date,
) -> Person:
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
    age = _pick_age(rng, foreign, is_target)
    birth_date = start - timedelta(days=age * 365 + age // 4 + rng.randrange(365))
    age = _age_on(birth_date, start)
    female = rng.random() < (0.10 if foreign else 0.04)
    trade = rng.choice(spec.trades)

    identity, romaji, family = build_identity(
        rng, nationality, female, spec if is_owner else None
    )
    identity["birth_date"] = birth_date
    career = build_career(rng, trade, age, start, foreign, is_target)
    contact = build_contact(rng, ids, index, foreign, spec, romaji)
    hire_date = _hire_date(rng, career, foreign, is_target, start)
    past = (
        ()
        if foreign
        else _past_employers(
            rng, career.start, hire_date, company.company_id, corporate_ids
        )
    )

    groups: dict[str, Any] = {
        "identity": identity,
        "contact": contact,
        "emergency_contact": build_emergency_contact(
            rng, ids, nationality, family, female, age, contact["address"]
        ),
        "insurance": build_insurance(rng, ids, key, spec, is_owner, foreign, age),
        "health": build_health(rng, trade, age, start),
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
    return Person(worker, key, trade, career.level, career.foreman_days)


def _pick_age(rng: random.Random, foreign: bool, is_target: bool) -> int:
    if foreign:
        return rng.randint(20, 38)
    if is_target:
        return rng.randint(32, 48)
    low, high, _ = rng.choices(_AGE_BANDS, weights=[band[2] for band in _AGE_BANDS])[0]
    return rng.randint(low, high)


def _age_on(birth_date: date, day: date) -> int:
    return (
        day.year
        - birth_date.year
        - ((day.month, day.day) < (birth_date.month, birth_date.day))
    )


def _pick_nationality(rng: random.Random) -> str:
    codes = [code for code, _ in names.FOREIGN_NATIONALITY_WEIGHTS]
    weights = [weight for _, weight in names.FOREIGN_NATIONALITY_WEIGHTS]
    return rng.choices(codes, weights=weights)[0]


def _hire_date(
    rng: random.Random, career: Career, foreign: bool, is_target: bool, start: date
) -> date:
    tenure_years = career.years if foreign else rng.uniform(0.1, career.years)
    if is_target:
        # The target must have been employed before the ended site's period began.
        tenure_years = max(tenure_years, (ENDED_START_OFFSET + 200) / 365)
    return start - timedelta(days=max(14, int(tenure_years * 365.25)))


def _past_employers(
    rng: random.Random,
    career_start: date,
    hire_date: date,
    employer_id: str,
    corporate_ids: list[str],
) -> tuple[PastEmployment, ...]:
    """Split the time from career start to hire date into up to three earlier jobs."""
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
