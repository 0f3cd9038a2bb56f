"""Link a verified national-ID login to the worker and the staff rows it stands for.

A worker is found through the blind index of the kanji name and birth date
(``WorkerIndexer.match_national_id``), which decrypts the candidates and
compares them exactly, so no personal value is compared in SQL. The address
is not compared, because people move and the registry keeps the address the
worker declared, not the one on the card.

Staff rows contain no personal data. ``staff.login_index`` instead contains
a full-length HMAC-SHA256 of the normalised name and birth date under a key
derived from the blind-index root for this purpose alone, set by
``ccus staff link``. Unlike the truncated worker indexes, equal tokens mean
equal values, so a match needs no decryption.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.crypto.blind_index import PART_SEPARATOR, index_key, normalise
from ccus.login.sessions import Person, StaffMembership
from ccus.registry.indexes import WorkerIndexer
from ccus.registry.models import Company, Staff

STAFF_LOGIN_TOKEN_PREFIX = "v1:"  # noqa: S105 - a format prefix


class StaffLoginIndex:
    """The keyed login index of staff rows."""

    __slots__ = ("_key",)

    def __init__(self, root: bytes) -> None:
        # HKDF with its own table and column labels gives this index a key
        # unrelated to every worker index's key.
        self._key = index_key(root, "staff", "login_index")

    def token(self, name: str, birth_date: date) -> str:
        """Return ``v1:`` and the 64 hex digits of the HMAC of name and birth date.

        Raises:
            ValueError: the name is empty after normalisation.
        """
        folded = normalise(name)
        if not folded:
            raise ValueError("the name is empty after normalisation")
        message = PART_SEPARATOR.join((folded, birth_date.isoformat())).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return STAFF_LOGIN_TOKEN_PREFIX + digest


def link_person(
    session: Session,
    indexer: WorkerIndexer,
    staff_index: StaffLoginIndex,
    login_subject: str,
    name: str,
    birth_date: date,
    authenticated_at: int,
) -> Person:
    """Return the person a verified name and birth date stand for."""
    worker_id = indexer.match_national_id(session, name, birth_date)
    token = staff_index.token(name, birth_date)
    rows = session.execute(
        select(Staff, Company.name)
        .join(Company, Company.company_id == Staff.company_id)
        .where(Staff.login_index == token)
        .order_by(Staff.company_id, Staff.staff_id)
    ).all()
    staff = tuple(
        StaffMembership(
            staff_id=row.staff_id,
            company_id=row.company_id,
            company_name=company_name,
            roles=tuple(row.roles),
        )
        for row, company_name in rows
    )
    return Person(
        login_subject=login_subject,
        worker_id=worker_id,
        staff=staff,
        authenticated_at=authenticated_at,
    )
