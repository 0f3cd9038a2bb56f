"""Careers of demo workers: trades, skill levels, qualifications and awards.

A worker's level never exceeds what the CCUS rule in ``qualifications.Trade`` allows:
enough work days, enough foreman days for levels 3 and 4, and verified qualifications.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from . import qualifications

DAYS_PER_YEAR = 215  # CCUS counts 215 work days as one year of experience
LEVEL2_DAYS = 3 * DAYS_PER_YEAR
LEVEL3_DAYS = 7 * DAYS_PER_YEAR
LEVEL4_DAYS = 10 * DAYS_PER_YEAR
FOREMAN_DAYS = 3 * DAYS_PER_YEAR  # foreman days needed for levels 3 and 4


@dataclass(slots=True)
class Career:
    trades: list[dict[str, Any]]
    awards: list[str]
    qualifications: list[dict[str, Any]]
    level: int
    foreman_days: int
    years: float  # years since the worker started in construction
    start: date  # career start


def build_career(
    rng: random.Random,
    trade_code: str,
    age: int,
    start: date,
    foreign: bool,
    is_target: bool,
) -> Career:
    """Build trades, qualifications and awards, with levels by qualifications.Trade.

    Only verified qualifications count towards a level, and some workers stay one level
    below what they qualify for because they have not yet applied for the evaluation.
    """
    trade = qualifications.TRADES[trade_code]
    years, work_days, foreman_days = _experience(rng, age, foreign, is_target)
    career_start = start - timedelta(days=int(years * 365.25))
    acquired = _acquire_qualifications(
        rng, trade, years, work_days, foreman_days, foreign, career_start, start
    )
    entries = _qualification_entries(rng, acquired)
    verified = {entry["code"] for entry in entries if entry["verified"]}
    level = _evaluate_level(trade, work_days, foreman_days, verified)
    if level > 1 and rng.random() < 0.15:
        level -= 1
    trades = _trade_entries(rng, trade, level, work_days, foreman_days, foreign)
    awards = _pick_awards(rng, level)
    return Career(trades, awards, entries, level, foreman_days, years, career_start)


def _experience(
    rng: random.Random, age: int, foreign: bool, is_target: bool
) -> tuple[float, int, int]:
    """Return the years in construction, the work days and the foreman days."""
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
    return years, work_days, foreman_days


def _acquire_qualifications(
    rng: random.Random,
    trade: qualifications.Trade,
    years: float,
    work_days: int,
    foreman_days: int,
    foreign: bool,
    career_start: date,
    start: date,
) -> dict[str, date]:
    """Choose the worker's qualifications and return their acquisition dates by code."""
    acquired: dict[str, date] = {}

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
    return acquired


def _qualification_entries(
    rng: random.Random, acquired: dict[str, date]
) -> list[dict[str, Any]]:
    """Build the qualifications group in acquisition order. About 92% are verified."""
    entries = []
    for code, acquired_on in sorted(
        acquired.items(), key=lambda item: (item[1], item[0])
    ):
        spec = qualifications.QUALIFICATIONS[code]
        entries.append(
            {
                "kind": spec.kind,
                "code": code,
                "name": spec.name,
                "acquired_on": acquired_on,
                "verified": rng.random() < 0.92,
            }
        )
    return entries


def _trade_entries(
    rng: random.Random,
    trade: qualifications.Trade,
    level: int,
    work_days: int,
    foreman_days: int,
    foreign: bool,
) -> list[dict[str, Any]]:
    """Return the primary trade and, for some workers, a related trade at level 1."""
    trades = [
        {
            "trade": trade.code,
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
    return trades


def _pick_awards(rng: random.Random, level: int) -> list[str]:
    awards = []
    if level == 4 and rng.random() < 0.5:
        awards.append(rng.choice(qualifications.AWARDS[:2]))
    if level >= 3 and rng.random() < 0.2:
        awards.append(rng.choice(qualifications.AWARDS[2:4]))
    if rng.random() < 0.03:
        awards.append(qualifications.AWARDS[4])
    return awards


def _experience_needed(code: str) -> float:
    """Return the years of experience the dataset requires before a qualification.

    The values approximate the exam eligibility rules: 2級技能士 after 2 years,
    1級技能士 after 7, 登録基幹技能者 after 10 and 職長教育 once the worker can lead a
    crew.
    """
    qualification = qualifications.QUALIFICATIONS[code]
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
    trade: qualifications.Trade, work_days: int, foreman_days: int, verified: set[str]
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
