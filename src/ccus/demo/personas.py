"""Actors for the demo personas, built from the loaded data set."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ccus.auth.actors import (
    Actor,
    DeviceActor,
    RegulatorActor,
    StaffActor,
    WorkerActor,
)
from ccus.auth.scopes import scopes_for_kind
from ccus.registry.models import Staff

PERSONAS = (
    "worker",
    "employer",
    "prime",
    "upper",
    "past_prime",
    "outsider",
    "orderer",
    "consented",
    "regulator",
    "device",
)
DEMO_CLIENT = "ccus-demo-cli"
DEMO_REGULATOR = "mlit-auditor-demo"


class PersonaError(LookupError):
    """The demo data set lacks a persona."""


def persona_actor(session: Session, personas: dict[str, str], name: str) -> Actor:
    """Build the actor a persona acts as, with every scope its kind may be granted.

    The scopes let a demo token do whatever the policies allow its actor,
    as the README's examples expect.

    Raises:
        PersonaError: no demo data set is loaded, or it lacks the persona.
    """
    if not personas:
        raise PersonaError("no demo data set is loaded; run 'ccus demo load'")
    if name == "worker":
        return WorkerActor(
            subject=personas["worker"],
            client_id=DEMO_CLIENT,
            scopes=scopes_for_kind(WorkerActor.kind),
        )
    if name == "regulator":
        return RegulatorActor(
            subject=DEMO_REGULATOR,
            client_id=DEMO_CLIENT,
            scopes=scopes_for_kind(RegulatorActor.kind),
        )
    if name == "device":
        site_id = personas["site_id"]
        return DeviceActor(
            subject=f"device-{site_id}",
            client_id=f"device-{site_id}",
            scopes=scopes_for_kind(DeviceActor.kind),
            site_id=site_id,
        )
    staff = session.get(Staff, personas[name])
    if staff is None:
        raise PersonaError(f"demo staff for persona {name!r} is missing")
    return StaffActor(
        subject=staff.staff_id,
        client_id=DEMO_CLIENT,
        scopes=scopes_for_kind(StaffActor.kind),
        company_id=staff.company_id,
        roles=tuple(staff.roles),
    )
