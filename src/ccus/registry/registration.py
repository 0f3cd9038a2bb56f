"""Register a worker: guard, duplicate check, sealing and indexes."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import msgspec
from sqlalchemy.orm import Session

from ccus.registry.groups import (
    Career,
    Contact,
    EmergencyContact,
    Health,
    Identity,
    Insurance,
    Qualification,
)
from ccus.registry.indexes import WorkerIndexer
from ccus.registry.models import Employment, Worker
from ccus.registry.mynumber import reject_individual_numbers
from ccus.registry.vault import WorkerVault


class WorkerRegistration(msgspec.Struct, forbid_unknown_fields=True):
    """A new worker's record, sent by the employer that registers them."""

    identity: Identity
    contact: Contact
    emergency_contact: EmergencyContact
    insurance: Insurance
    health: Health
    qualifications: list[Qualification]
    career: Career
    hire_date: date
    contact_replaced: bool = False


class DuplicateWorker(Exception):
    """A worker with the same katakana name and birth date is registered."""


def new_worker_id(session: Session) -> str:
    """Draw an unused random 14-digit worker id."""
    while True:
        candidate = f"{secrets.randbelow(10**14):014d}"
        if session.get(Worker, candidate) is None:
            return candidate


def register_worker(
    session: Session,
    vault: WorkerVault,
    indexer: WorkerIndexer,
    company_id: str,
    registration: WorkerRegistration,
    now: datetime,
) -> str:
    """Store a new worker employed by ``company_id``; the caller commits.

    Raises:
        MyNumberError: a field contains an individual number. Nothing is stored.
        DuplicateWorker: the katakana name and birth date are registered.
    """
    groups = msgspec.to_builtins(registration)
    reject_individual_numbers(groups)
    identity = registration.identity
    if indexer.find_duplicates(session, identity.name_kana, identity.birth_date):
        raise DuplicateWorker(
            "a worker with the same katakana name and birth date is registered"
        )
    worker_id = new_worker_id(session)
    sealed = {
        name: getattr(registration, name)
        for name in (
            "identity",
            "contact",
            "emergency_contact",
            "insurance",
            "health",
            "qualifications",
            "career",
        )
    }
    worker, key_row = vault.seal_worker(worker_id, msgspec.to_builtins(sealed), now)
    worker.contact_replaced = registration.contact_replaced
    session.add(worker)
    session.add(key_row)
    session.flush()
    session.add_all(indexer.rows_for(worker_id, groups["identity"]))
    session.add(
        Employment(
            worker_id=worker_id,
            company_id=company_id,
            start_date=registration.hire_date,
        )
    )
    session.flush()
    return worker_id
