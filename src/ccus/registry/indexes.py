"""The blind indexes of a worker and the lookups that use them.

Every lookup returns candidates that share a truncated token; each is
decrypted and compared exactly before it counts as a match.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ccus.crypto.blind_index import (
    DUPLICATE_CHECK,
    NAME_KANA_SEARCH,
    NAME_SEARCH,
    NATIONAL_ID_LOGIN,
    BlindIndex,
    IndexUse,
    normalise,
)
from ccus.crypto.envelope import DecryptionError, sealed_key_version
from ccus.registry.groups import Identity
from ccus.registry.models import Worker, WorkerIndex, WorkerKey
from ccus.registry.vault import WorkerVault

USES = (DUPLICATE_CHECK, NAME_KANA_SEARCH, NAME_SEARCH, NATIONAL_ID_LOGIN)


class WorkerIndexer:
    """Compute a worker's blind index tokens and find workers by them."""

    def __init__(self, root: bytes, vault: WorkerVault) -> None:
        self._indexes = {use.column: BlindIndex.for_use(root, use) for use in USES}
        self._vault = vault

    def token(self, use: IndexUse, *parts: str) -> str:
        return self._indexes[use.column].compute(*parts)

    def rows_for(self, worker_id: str, identity: dict[str, Any]) -> list[WorkerIndex]:
        """Build the index rows of a worker from its identity group."""
        name, kana = str(identity["name"]), str(identity["name_kana"])
        birth = _iso(identity["birth_date"])
        tokens = {
            DUPLICATE_CHECK: (kana, birth),
            NAME_KANA_SEARCH: (kana,),
            NAME_SEARCH: (name,),
            NATIONAL_ID_LOGIN: (name, birth),
        }
        return [
            WorkerIndex(
                worker_id=worker_id, purpose=use.column, token=self.token(use, *parts)
            )
            for use, parts in tokens.items()
        ]

    def candidates(
        self,
        session: Session,
        use: IndexUse,
        parts: tuple[str, ...],
        worker_ids: Any = None,
    ) -> list[tuple[str, Identity]]:
        """Return the workers whose token matches, with their opened identity.

        ``worker_ids`` optionally narrows the lookup to a SQL selection of ids.
        """
        query = (
            select(Worker, WorkerKey)
            .join(WorkerIndex, WorkerIndex.worker_id == Worker.worker_id)
            .join(WorkerKey, WorkerKey.worker_id == Worker.worker_id)
            .where(
                WorkerIndex.purpose == use.column,
                WorkerIndex.token == self.token(use, *parts),
                Worker.erased_at.is_(None),
            )
        )
        if worker_ids is not None:
            query = query.where(Worker.worker_id.in_(worker_ids))
        return self._open_identities(session, query)

    def identities(
        self, session: Session, worker_ids: list[str]
    ) -> list[tuple[str, Identity]]:
        """Return the opened identity of each of ``worker_ids``, by worker id."""
        query = (
            select(Worker, WorkerKey)
            .join(WorkerKey, WorkerKey.worker_id == Worker.worker_id)
            .where(Worker.worker_id.in_(worker_ids), Worker.erased_at.is_(None))
        )
        return self._open_identities(session, query)

    def _open_identities(
        self, session: Session, query: Select[Worker, WorkerKey]
    ) -> list[tuple[str, Identity]]:
        """Open the identity of each worker the query returns, by worker id.

        The query returns every data key version of a worker, and the one
        that sealed the identity opens it.
        """
        opened: dict[str, Identity] = {}
        for worker, key_row in session.execute(query):
            blob = worker.identity_ct
            if worker.worker_id in opened or not _names_version(blob, key_row):
                continue
            data_key = self._vault.data_key(key_row)
            opened[worker.worker_id] = self._vault.open_group(
                worker.worker_id, data_key, "identity", blob
            )
        return sorted(opened.items())

    def find_duplicates(self, session: Session, kana: str, birth: date) -> list[str]:
        """Return registered workers with the same katakana name and birth date."""
        found = self.candidates(session, DUPLICATE_CHECK, (kana, birth.isoformat()))
        wanted = normalise(kana)
        return [
            worker_id
            for worker_id, identity in found
            if identity.birth_date == birth and normalise(identity.name_kana) == wanted
        ]

    def match_national_id(self, session: Session, name: str, birth: date) -> str | None:
        """Return the worker a verified national-ID login stands for, if one.

        The ID provider verified the kanji name and birth date. A match must be
        unique: two workers with the same name and birth date link to neither.
        """
        found = self.candidates(session, NATIONAL_ID_LOGIN, (name, birth.isoformat()))
        wanted = normalise(name)
        matches = [
            worker_id
            for worker_id, identity in found
            if identity.birth_date == birth and normalise(identity.name) == wanted
        ]
        return matches[0] if len(matches) == 1 else None

    def search_names(
        self, session: Session, name: str, worker_ids: Any
    ) -> list[tuple[str, Identity]]:
        """Return workers among ``worker_ids`` whose kanji or kana name is ``name``."""
        wanted = normalise(name)
        if not wanted:
            return []
        found = dict(self.candidates(session, NAME_SEARCH, (name,), worker_ids))
        found.update(self.candidates(session, NAME_KANA_SEARCH, (name,), worker_ids))
        return sorted(
            (worker_id, identity)
            for worker_id, identity in found.items()
            if wanted in (normalise(identity.name), normalise(identity.name_kana))
        )


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _names_version(blob: bytes, key_row: WorkerKey) -> bool:
    """Tell whether ``key_row`` is the data key version that sealed ``blob``."""
    try:
        return sealed_key_version(blob) == key_row.version
    except DecryptionError:
        return False
