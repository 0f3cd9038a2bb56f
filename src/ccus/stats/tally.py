"""Count a company's workers by trade and level, qualification and insurance.

The population is the company's workers whose employment is active on the
given day (started on or before it, not ended before it), erased workers
excluded, selected in SQL. Only the ``career``, ``qualifications`` and
``insurance`` groups are decrypted, each under the worker's own data key.
The plaintext lives only while the request counts it, and the counts returned
here are raw: ``ccus.stats.tables`` applies the disclosure control.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.authz.loaders import active_employment_filter
from ccus.crypto.envelope import DecryptionError, sealed_key_version
from ccus.registry.groups import (
    Career,
    Insurance,
    InsuranceStatus,
    Qualification,
    QualificationKind,
)
from ccus.registry.models import Employment, Worker, WorkerKey
from ccus.registry.vault import WorkerVault

# Published insurance name and the field of ``Insurance`` with its status.
INSURANCE_STATUS_FIELDS = {
    "health_insurance": "health_insurance_status",
    "pension": "pension_status",
    "employment_insurance": "employment_insurance_status",
}
INSURANCE_STATUSES: tuple[str, ...] = get_args(InsuranceStatus)
QUALIFICATION_KINDS: tuple[str, ...] = get_args(QualificationKind)


@dataclass(frozen=True, slots=True)
class WorkerGroups:
    """The decrypted groups of one worker that the statistics count."""

    career: Career
    qualifications: list[Qualification]
    insurance: Insurance


@dataclass(slots=True)
class CompanyCounts:
    """Raw counts of a company's workers, before disclosure control.

    Each count is of distinct workers. ``trades`` maps a trade to the workers
    at each level of it, a worker counting once per trade at their highest
    level in it. ``qualifications`` counts verified qualifications by
    (kind, code), and ``kinds`` the workers with any verified qualification
    of a kind.
    """

    head_count: int = 0
    workers_with_trade: int = 0
    trades: dict[str, Counter[int]] = field(default_factory=dict)
    qualifications: Counter[tuple[str, str]] = field(default_factory=Counter)
    qualification_names: dict[tuple[str, str], Counter[str]] = field(
        default_factory=dict
    )
    kinds: Counter[str] = field(default_factory=Counter)
    insurance: dict[str, Counter[str]] = field(
        default_factory=lambda: {name: Counter() for name in INSURANCE_STATUS_FIELDS}
    )


def tally(workers: Iterable[WorkerGroups]) -> CompanyCounts:
    """Count ``workers`` by trade and level, qualification and insurance status.

    Unverified qualifications are left out: statistics shown to other
    companies count only what the registry has checked.
    """
    counts = CompanyCounts()
    for worker in workers:
        counts.head_count += 1
        _count_career(counts, worker.career)
        _count_qualifications(counts, worker.qualifications)
        for name, status_field in INSURANCE_STATUS_FIELDS.items():
            counts.insurance[name][getattr(worker.insurance, status_field)] += 1
    return counts


def _count_career(counts: CompanyCounts, career: Career) -> None:
    levels: dict[str, int] = {}
    for entry in career.trades:
        levels[entry.trade] = max(entry.level, levels.get(entry.trade, entry.level))
    if levels:
        counts.workers_with_trade += 1
    for trade, level in levels.items():
        counts.trades.setdefault(trade, Counter())[level] += 1


def _count_qualifications(
    counts: CompanyCounts, qualifications: list[Qualification]
) -> None:
    verified: dict[tuple[str, str], str] = {}
    for item in qualifications:
        if item.verified:
            verified.setdefault((item.kind, item.code), item.name)
    for key, name in verified.items():
        counts.qualifications[key] += 1
        counts.qualification_names.setdefault(key, Counter())[name] += 1
    for kind in {kind for kind, _ in verified}:
        counts.kinds[kind] += 1


def load_counts(
    session: Session, vault: WorkerVault, company_id: str, today: date
) -> CompanyCounts:
    """Decrypt and count the workers employed by ``company_id`` on ``today``.

    Raises:
        DecryptionError: a counted worker's group does not open, or the data
            key version it names is missing.
    """
    return tally(_open_workers(session, vault, company_id, today))


def _open_workers(
    session: Session, vault: WorkerVault, company_id: str, today: date
) -> Iterator[WorkerGroups]:
    employed = select(Employment.worker_id).where(
        Employment.company_id == company_id,
        Employment.start_date <= today,
        active_employment_filter(today),
    )
    # One statement reads the sealed groups with their data keys, so both
    # come from one snapshot even while a key rotation commits.
    rows = session.execute(
        select(
            Worker.worker_id,
            Worker.career_ct,
            Worker.qualifications_ct,
            Worker.insurance_ct,
            WorkerKey,
        )
        .outerjoin(WorkerKey, WorkerKey.worker_id == Worker.worker_id)
        .where(Worker.worker_id.in_(employed), Worker.erased_at.is_(None))
        .order_by(Worker.worker_id)
    ).all()
    blobs: dict[str, tuple[bytes, bytes, bytes]] = {}
    keys: dict[str, dict[int, WorkerKey]] = {}
    for worker_id, career, qualifications, insurance, key_row in rows:
        blobs[worker_id] = (career, qualifications, insurance)
        versions = keys.setdefault(worker_id, {})
        if key_row is not None:
            versions[key_row.version] = key_row
    for worker_id, (career, qualifications, insurance) in blobs.items():
        opener = _GroupOpener(vault, worker_id, keys[worker_id])
        yield WorkerGroups(
            career=opener.open("career", career),
            qualifications=opener.open("qualifications", qualifications),
            insurance=opener.open("insurance", insurance),
        )


class _GroupOpener:
    """Open one worker's groups, unwrapping each data key version once."""

    def __init__(
        self, vault: WorkerVault, worker_id: str, keys: dict[int, WorkerKey]
    ) -> None:
        self._vault = vault
        self._worker_id = worker_id
        self._keys = keys
        self._ciphers: dict[int, AESGCM] = {}

    def open(self, group: str, blob: bytes) -> Any:
        version = sealed_key_version(blob)
        if version not in self._ciphers:
            key_row = self._keys.get(version)
            if key_row is None:
                raise DecryptionError()
            self._ciphers[version] = AESGCM(self._vault.data_key(key_row))
        return self._vault.open_group(
            self._worker_id, self._ciphers[version], group, blob
        )
