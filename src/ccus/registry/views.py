"""Build the response shapes of a worker record from opened field groups."""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec

from ccus.registry.groups import ROSTER_QUALIFICATION_KINDS, Career
from ccus.registry.models import Company

WORK_DAYS_PER_YEAR = 215


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def years_of_experience(career: Career) -> int:
    """Whole years of experience: 215 work days count as one year."""
    days = max((trade.work_days for trade in career.trades), default=0)
    return days // WORK_DAYS_PER_YEAR


def to_builtins(value: Any) -> Any:
    return msgspec.to_builtins(value)


def company_contact(contact: dict[str, Any], company: Company) -> dict[str, Any]:
    """Replace the worker's own address, phone and email with the employer's."""
    return {
        "postal_code": None,
        "address": company.address,
        "phone": company.phone,
        "email": None,
        "shown_as": "employer",
    }


def roster_fields(
    groups: dict[str, Any],
    hire_date: date | None,
    today: date,
    contact: dict[str, Any],
) -> dict[str, Any]:
    """Project the standard roster form's personal fields from opened groups."""
    identity, emergency = groups["identity"], groups["emergency_contact"]
    insurance, health = groups["insurance"], groups["health"]
    return {
        "name": identity.name,
        "name_kana": identity.name_kana,
        "birth_date": identity.birth_date.isoformat(),
        "age": age_on(identity.birth_date, today),
        "hire_date": hire_date.isoformat() if hire_date else None,
        "years_of_experience": years_of_experience(groups["career"]),
        "address": contact["address"],
        "phone": contact["phone"],
        "emergency_contact": {"name": emergency.name, "phone": emergency.phone},
        "health": {
            "last_checkup_date": _iso(health.last_checkup_date),
            "blood_pressure_systolic": health.blood_pressure_systolic,
            "blood_pressure_diastolic": health.blood_pressure_diastolic,
            "blood_type": health.blood_type,
            "special_checkup_date": _iso(health.special_checkup_date),
            "special_checkup_kind": health.special_checkup_kind,
        },
        "insurance": {
            "health_insurance_kind": insurance.health_insurance_kind,
            "health_insurance_status": insurance.health_insurance_status,
            "pension_kind": insurance.pension_kind,
            "pension_status": insurance.pension_status,
            "employment_insurance_status": insurance.employment_insurance_status,
            "kentaikyo_member": insurance.kentaikyo_member,
            "chutaikyo_member": insurance.chutaikyo_member,
        },
        "qualifications": [
            {
                "kind": item.kind,
                "name": item.name,
                "acquired_on": item.acquired_on.isoformat(),
            }
            for item in groups["qualifications"]
            if item.kind in ROSTER_QUALIFICATION_KINDS
        ],
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
