"""The worker record's field groups and their typed shapes.

Policies grant whole groups and responses show whole groups or leave them
out. Two groups refine the domain's list: ``past_employers`` is split from
``employment`` because an employer sees the employment group without it,
and ``roster`` is the projection of the standard roster form
(全建統一様式第5号) that a site's prime contractor and upper tiers see.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

InsuranceStatus = Literal["enrolled", "not_enrolled", "exempt"]


class Identity(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    name_kana: str
    birth_date: date
    gender: Literal["male", "female", "other"]
    nationality: str
    photo: str | None = None


class Contact(msgspec.Struct, forbid_unknown_fields=True):
    postal_code: str
    address: str
    phone: str
    email: str | None = None


class EmergencyContact(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    relationship: str
    address: str
    phone: str


class Insurance(msgspec.Struct, forbid_unknown_fields=True):
    health_insurance_kind: Literal[
        "kyokai_kenpo", "kenpo_kumiai", "kensetsu_kokuho", "kokumin_kenko_hoken"
    ]
    health_insurance_status: InsuranceStatus
    pension_kind: Literal["kosei_nenkin", "kokumin_nenkin"]
    pension_status: InsuranceStatus
    employment_insurance_status: InsuranceStatus
    employment_insurance_number_last4: str | None
    kentaikyo_member: bool
    kentaikyo_member_number: str | None
    chutaikyo_member: bool


class Health(msgspec.Struct, forbid_unknown_fields=True):
    last_checkup_date: date | None
    blood_pressure_systolic: int | None
    blood_pressure_diastolic: int | None
    blood_type: Literal["A", "B", "O", "AB"] | None
    special_checkup_date: date | None = None
    special_checkup_kind: str | None = None


QualificationKind = Literal[
    "licence",
    "skill_training",
    "special_education",
    "certified_skill",
    "core_skilled_worker",
]


class Qualification(msgspec.Struct, forbid_unknown_fields=True):
    kind: QualificationKind
    code: str
    name: str
    acquired_on: date
    verified: bool


class TradeCareer(msgspec.Struct, forbid_unknown_fields=True):
    trade: str
    # CCUS skill levels run from 1 (apprentice) to 4 (master).
    level: Annotated[int, msgspec.Meta(ge=1, le=4)]
    work_days: Annotated[int, msgspec.Meta(ge=0)]
    foreman_days: Annotated[int, msgspec.Meta(ge=0)]


class Career(msgspec.Struct, forbid_unknown_fields=True):
    trades: list[TradeCareer]
    awards: list[str]


# Sealed groups: each is one encrypted column of ``workers``.
SEALED_GROUPS: dict[str, type[msgspec.Struct]] = {
    "identity": Identity,
    "contact": Contact,
    "emergency_contact": EmergencyContact,
    "insurance": Insurance,
    "health": Health,
    "career": Career,
}
LIST_GROUPS: dict[str, type[msgspec.Struct]] = {"qualifications": Qualification}

# Every group a policy can grant, in response order.
ALL_GROUPS = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
    "employment",
    "past_employers",
    "history",
    "roster",
)

# Sealed groups the ``roster`` projection is built from.
ROSTER_SOURCE_GROUPS = (
    "identity",
    "contact",
    "emergency_contact",
    "insurance",
    "health",
    "qualifications",
    "career",
)
# Qualification kinds the roster form lists.
ROSTER_QUALIFICATION_KINDS = ("licence", "skill_training", "special_education")
