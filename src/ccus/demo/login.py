# The demo identities must be reproducible from a seed, so random.Random is intended.
# ruff: noqa: S311
"""Demo card holders of the local provider, and the staff login indexes they match.

The ``worker`` holder carries the target worker's registered name, birth
date, gender and address, so a login as that holder links to the worker
through the blind index. Each staff persona gets a generated identity whose
HMAC becomes its staff row's login index, and ``newcomer`` is a person with
no worker record, who can register.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.crypto.envelope import DecryptionError, sealed_key_version
from ccus.demo import catalogue, names
from ccus.demo.addresses import street_address
from ccus.idp.holders import CardHolder, new_subject, write_holders
from ccus.login.linking import StaffLoginIndex
from ccus.registry.groups import Contact
from ccus.registry.indexes import WorkerIndexer
from ccus.registry.models import Staff, Worker, WorkerKey
from ccus.registry.vault import WorkerVault

STAFF_PERSONAS = {
    "employer": "staff of the target worker's employer",
    "prime": "staff of the live site's prime contractor",
    "upper": "staff of the first-tier company above the employer",
    "past_prime": "staff of the ended site's prime contractor",
    "outsider": "staff of an unrelated company",
    "orderer": "staff of the live site's orderer (発注者)",
    "consented": "staff of a company the worker and the employer consented to",
}
EARLIEST_BIRTH = date(1960, 1, 1)
BIRTH_SPAN_DAYS = 35 * 365


class CardHolderError(LookupError):
    """The demo data set lacks a persona the card holders need."""


def load_card_holders(
    session: Session,
    personas: dict[str, str],
    vault: WorkerVault,
    indexer: WorkerIndexer,
    staff_index: StaffLoginIndex,
    path: Path,
    seed: int,
) -> list[CardHolder]:
    """Write the card holders file and set the staff personas' login indexes.

    Commits the login indexes. ``personas`` are the ids the demo load
    recorded, so this also works on a database loaded before.

    Raises:
        CardHolderError: a persona is missing from ``personas`` or the database.
    """
    rng = random.Random(f"card-holders:{seed}")
    holders = [_worker_holder(session, personas, vault, indexer)]
    for persona, description in STAFF_PERSONAS.items():
        row = session.get(Staff, personas.get(persona, ""))
        if row is None:
            raise CardHolderError(f"demo staff for persona {persona!r} is missing")
        holder = _generated_holder(session, rng, indexer, persona, description)
        row.login_index = staff_index.token(
            holder.name, date.fromisoformat(holder.birthdate)
        )
        holders.append(holder)
    holders.append(
        _generated_holder(
            session,
            rng,
            indexer,
            "newcomer",
            "a person with no worker record, who can register as a worker",
        )
    )
    session.commit()
    write_holders(path, holders)
    return holders


def _worker_holder(
    session: Session,
    personas: dict[str, str],
    vault: WorkerVault,
    indexer: WorkerIndexer,
) -> CardHolder:
    """Return the holder with the target worker's registered identity and address."""
    worker_id = personas.get("worker", "")
    opened = dict(indexer.identities(session, [worker_id]))
    worker = session.get(Worker, worker_id)
    if worker_id not in opened or worker is None:
        raise CardHolderError("the demo's target worker is missing")
    identity = opened[worker_id]
    contact = _open_contact(session, vault, worker)
    return CardHolder(
        sub=new_subject(),
        label="worker",
        description=f"the target worker {worker_id}",
        name=identity.name,
        birthdate=identity.birth_date.isoformat(),
        gender=identity.gender,
        address=contact.address,
        postal_code=contact.postal_code,
    )


def _open_contact(session: Session, vault: WorkerVault, worker: Worker) -> Contact:
    """Open the worker's contact group with the data key version that sealed it."""
    version = sealed_key_version(worker.contact_ct)
    key_row = session.scalars(
        select(WorkerKey).where(
            WorkerKey.worker_id == worker.worker_id, WorkerKey.version == version
        )
    ).first()
    if key_row is None:
        raise CardHolderError("the demo's target worker has no data key")
    try:
        contact: Contact = vault.open_group(
            worker.worker_id, vault.data_key(key_row), "contact", worker.contact_ct
        )
    except DecryptionError:
        raise CardHolderError("the demo's target worker does not open") from None
    return contact


def _generated_holder(
    session: Session,
    rng: random.Random,
    indexer: WorkerIndexer,
    label: str,
    description: str,
) -> CardHolder:
    """Draw a Japanese identity that no registered worker has."""
    while True:
        female = rng.random() < 0.3
        family = rng.choice(names.FAMILY_NAMES)
        given = rng.choice(
            names.FEMALE_GIVEN_NAMES if female else names.MALE_GIVEN_NAMES
        )
        name = f"{family[0]}　{given[0]}"
        kana = f"{family[1]}　{given[1]}"
        birth = EARLIEST_BIRTH + timedelta(days=rng.randrange(BIRTH_SPAN_DAYS))
        town = rng.choice(catalogue.TOWNS)
        address = street_address(rng, town)
        registered = indexer.match_national_id(
            session, name, birth
        ) is not None or bool(indexer.find_duplicates(session, kana, birth))
        if not registered:
            return CardHolder(
                sub=new_subject(),
                label=label,
                description=description,
                name=name,
                birthdate=birth.isoformat(),
                gender="female" if female else "male",
                address=address,
                postal_code=town.postal_code,
            )
