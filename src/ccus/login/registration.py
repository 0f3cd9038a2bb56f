"""Self-registration of a worker from a verified national-ID login (本人申請).

The registering party is the person themself. The name, birth date, gender
and address come from the ID token the provider verified, and the person
types only what the card does not carry. No employment is recorded, because
an employment declared by the person alone would add them to a company's
workforce and statistics without the company's approval. The employer
records the employment later.

The record is sealed and indexed like an employer's registration
(``ccus.registry.registration``), with the same duplicate check and the same
rejection of individual numbers (My Number).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from sqlalchemy.orm import Session

from ccus.registry.groups import (
    Career,
    Contact,
    EmergencyContact,
    Health,
    Identity,
    Insurance,
    InsuranceStatus,
)
from ccus.registry.indexes import WorkerIndexer
from ccus.registry.mynumber import reject_individual_numbers
from ccus.registry.registration import DuplicateWorker, new_worker_id
from ccus.registry.vault import WorkerVault

Text = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9][0-9-]{5,19}$")]
# Gender values of OpenID Connect Core 1.0 section 5.1 that the registry's
# identity group distinguishes; any other value is registered as "other".
GENDERS = {"male": "male", "female": "female"}
CHECKBOX_FIELDS = ("kentaikyo_member", "chutaikyo_member")


class SelfRegistrationForm(msgspec.Struct, forbid_unknown_fields=True):
    """The fields a person types on the registration page; the card gives the rest."""

    name_kana: Text
    nationality: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")]
    postal_code: Annotated[str, msgspec.Meta(pattern=r"^[0-9]{3}-?[0-9]{4}$")]
    phone: Phone
    emergency_name: Text
    emergency_relationship: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    emergency_address: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    emergency_phone: Phone
    health_insurance_kind: Literal[
        "kyokai_kenpo", "kenpo_kumiai", "kensetsu_kokuho", "kokumin_kenko_hoken"
    ]
    health_insurance_status: InsuranceStatus
    pension_kind: Literal["kosei_nenkin", "kokumin_nenkin"]
    pension_status: InsuranceStatus
    employment_insurance_status: InsuranceStatus
    kentaikyo_member: bool = False
    chutaikyo_member: bool = False
    email: (
        Annotated[str, msgspec.Meta(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}$")] | None
    ) = None
    address: Annotated[str, msgspec.Meta(min_length=1, max_length=300)] | None = None


class FormError(ValueError):
    """The registration form has an invalid field; the message names it."""


def parse_form(fields: dict[str, str]) -> SelfRegistrationForm:
    """Convert the submitted form into a ``SelfRegistrationForm``.

    Empty optional fields count as absent, and a checkbox counts as ticked
    when it is present.

    Raises:
        FormError: a field is missing, unknown or invalid.
    """
    values: dict[str, Any] = {
        name: value.strip() for name, value in fields.items() if value.strip()
    }
    values.pop("csrf_token", None)
    for name in CHECKBOX_FIELDS:
        values[name] = name in values
    try:
        return msgspec.convert(values, SelfRegistrationForm)
    except msgspec.ValidationError as error:
        raise FormError(_describe(error)) from None


def _describe(error: msgspec.ValidationError) -> str:
    """Name the field of a validation error without repeating its value."""
    text = str(error)
    match = re.search(r"at `\$\.([a-z_]+)`", text)
    field = match.group(1) if match else None
    if "missing required field" in text:
        missing = re.search(r"field `([a-z_]+)`", text)
        return f"{missing.group(1) if missing else 'a field'} is required"
    if "unknown field" in text:
        return "the form contains a field this page does not have; reload the page"
    return f"{field or 'a field'} is invalid; check its format"


def register_self(
    session: Session,
    vault: WorkerVault,
    indexer: WorkerIndexer,
    identity: dict[str, Any],
    form: SelfRegistrationForm,
    now: datetime,
) -> str:
    """Store a new worker from verified claims and the form; the caller commits.

    ``identity`` contains the verified ``name``, ``birth_date`` (ISO date),
    ``gender``, ``address`` and ``postal_code``.

    Raises:
        FormError: the claims lack an address and the form gives none.
        MyNumberError: a field contains an individual number. Nothing is stored.
        DuplicateWorker: a worker with the same katakana name and birth date,
            or the same kanji name and birth date, is registered.
    """
    birth = date.fromisoformat(identity["birth_date"])
    address = identity.get("address") or form.address
    if not address:
        raise FormError("address is required, because the card gave none")
    groups: dict[str, Any] = {
        "identity": Identity(
            name=identity["name"],
            name_kana=form.name_kana,
            birth_date=birth,
            gender=GENDERS.get(identity.get("gender") or "", "other"),  # type: ignore[arg-type]
            nationality=form.nationality,
        ),
        "contact": Contact(
            postal_code=form.postal_code,
            address=address,
            phone=form.phone,
            email=form.email,
        ),
        "emergency_contact": EmergencyContact(
            name=form.emergency_name,
            relationship=form.emergency_relationship,
            address=form.emergency_address,
            phone=form.emergency_phone,
        ),
        "insurance": Insurance(
            health_insurance_kind=form.health_insurance_kind,
            health_insurance_status=form.health_insurance_status,
            pension_kind=form.pension_kind,
            pension_status=form.pension_status,
            employment_insurance_status=form.employment_insurance_status,
            employment_insurance_number_last4=None,
            kentaikyo_member=form.kentaikyo_member,
            kentaikyo_member_number=None,
            chutaikyo_member=form.chutaikyo_member,
        ),
        "health": Health(
            last_checkup_date=None,
            blood_pressure_systolic=None,
            blood_pressure_diastolic=None,
            blood_type=None,
        ),
        "qualifications": [],
        "career": Career(trades=[], awards=[]),
    }
    plain = msgspec.to_builtins(groups)
    reject_individual_numbers(plain)
    if indexer.find_duplicates(session, form.name_kana, birth) or (
        indexer.match_national_id(session, identity["name"], birth) is not None
    ):
        raise DuplicateWorker(
            "a worker with the same name and birth date is registered"
        )
    worker_id = new_worker_id(session)
    worker, key_row = vault.seal_worker(worker_id, plain, now)
    session.add(worker)
    session.add(key_row)
    session.flush()
    session.add_all(indexer.rows_for(worker_id, plain["identity"]))
    session.flush()
    return worker_id
