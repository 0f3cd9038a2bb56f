"""Counts computed from the demo dataset's plaintext, apart from ccus.stats."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ccus.demo.dataset import Dataset, Worker

INSURANCE_FIELDS = {
    "health_insurance": "health_insurance_status",
    "pension": "pension_status",
    "employment_insurance": "employment_insurance_status",
}


@dataclass
class Expected:
    """Raw counts of one company's workers on one day."""

    worker_ids: set[str] = field(default_factory=set)
    trades: dict[str, Counter[int]] = field(default_factory=dict)
    with_trade: int = 0
    qualifications: Counter[tuple[str, str]] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    insurance: dict[str, Counter[str]] = field(default_factory=dict)

    @property
    def head_count(self) -> int:
        return len(self.worker_ids)


def employed_on(worker: Worker, company_id: str, day: date) -> bool:
    if worker.employer_id == company_id and worker.hire_date <= day:
        return True
    return any(
        past.company_id == company_id and past.start <= day <= past.end
        for past in worker.past_employers
    )


def expected_counts(dataset: Dataset, company_id: str, day: date) -> Expected:
    expected = Expected(insurance={name: Counter() for name in INSURANCE_FIELDS})
    for worker in dataset.workers:
        if not employed_on(worker, company_id, day):
            continue
        expected.worker_ids.add(worker.worker_id)
        groups = worker.groups
        best: dict[str, int] = {}
        for entry in groups["career"]["trades"]:
            best[entry["trade"]] = max(best.get(entry["trade"], 0), entry["level"])
        expected.with_trade += bool(best)
        for trade, level in best.items():
            expected.trades.setdefault(trade, Counter())[level] += 1
        verified = {
            (item["kind"], item["code"])
            for item in groups["qualifications"]
            if item["verified"]
        }
        expected.qualifications.update(verified)
        expected.kinds.update({kind for kind, _ in verified})
        for name, status_field in INSURANCE_FIELDS.items():
            expected.insurance[name][groups["insurance"][status_field]] += 1
    return expected


def head_counts(dataset: Dataset, day: date) -> Counter[str]:
    """Return the number of workers each company employs on ``day``."""
    counts: Counter[str] = Counter()
    for company in dataset.companies:
        counts[company.company_id] = sum(
            employed_on(worker, company.company_id, day) for worker in dataset.workers
        )
    return counts
