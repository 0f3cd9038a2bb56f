"""Records of the demo dataset: companies, staff, workers, sites, trees and touches.

``ccus.demo.dataset`` re-exports every record, and callers import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Company:
    company_id: str
    name: str
    name_kana: str
    permit_issuer: str | None  # "minister", a prefecture name, or None without a permit
    permit_kind: str | None  # "general" or "special"
    permit_number: str | None
    permit_trades: tuple[str, ...]  # keys of companies.PERMIT_TRADES
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
    groups: dict[str, Any]  # personal data by field group, see ccus.demo.people
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
    orderer_company_id: str | None  # the orderer (発注者) as a registered company
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
class CompanyAgreement:
    """An inter-company agreement (事業者間合意) for proxy registration."""

    upper_company_id: str
    lower_company_id: str
    signed_on: date
    ended_on: date | None  # None while the agreement runs


@dataclass(frozen=True, slots=True)
class RosterEntry:
    site_id: str
    worker_id: str
    company_id: str  # the worker's employer at that site
    trade: str  # key of qualifications.TRADES
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
