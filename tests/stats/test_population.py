"""Which workers the statistics count, decrypted from the database.

Changes to the shared demo database are flushed, counted and rolled back,
never committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.clock import jst_date
from ccus.demo.dataset import Dataset
from ccus.registry.models import Employment, Worker
from ccus.services import Services
from ccus.stats.tally import CompanyCounts, load_counts
from tests.conftest import FIXED_NOW
from tests.stats.expected import expected_counts, head_counts

TODAY = jst_date(FIXED_NOW)


@pytest.fixture
def session(loaded: Services) -> Iterator[Session]:
    with loaded.session() as session:
        yield session
        session.rollback()


@pytest.fixture
def company(dataset: Dataset) -> str:
    return head_counts(dataset, TODAY).most_common(1)[0][0]


def count(loaded: Services, session: Session, company_id: str) -> CompanyCounts:
    session.flush()
    return load_counts(session, loaded.vault, company_id, TODAY)


def active_employment(session: Session, company_id: str) -> Employment:
    employment = session.scalars(
        select(Employment)
        .where(Employment.company_id == company_id, Employment.end_date.is_(None))
        .order_by(Employment.worker_id)
    ).first()
    assert employment is not None
    return employment


def test_counts_match_dataset(
    loaded: Services, session: Session, dataset: Dataset, company: str
) -> None:
    counts = count(loaded, session, company)
    expected = expected_counts(dataset, company, TODAY)
    assert counts.head_count == expected.head_count
    assert counts.workers_with_trade == expected.with_trade
    assert counts.trades == expected.trades
    assert counts.qualifications == expected.qualifications
    assert counts.kinds == expected.kinds
    assert counts.insurance == expected.insurance


def test_erased_worker_not_counted(
    loaded: Services, session: Session, company: str
) -> None:
    before = count(loaded, session, company).head_count
    worker = session.get(Worker, active_employment(session, company).worker_id)
    assert worker is not None
    worker.erased_at = FIXED_NOW
    assert count(loaded, session, company).head_count == before - 1


def test_ended_employment_not_counted(
    loaded: Services, session: Session, company: str
) -> None:
    before = count(loaded, session, company).head_count
    employment = active_employment(session, company)
    employment.end_date = TODAY
    assert count(loaded, session, company).head_count == before
    employment.end_date = TODAY - timedelta(days=1)
    assert count(loaded, session, company).head_count == before - 1


def test_future_hire_not_counted(
    loaded: Services, session: Session, dataset: Dataset, company: str
) -> None:
    before = count(loaded, session, company).head_count
    newcomer = next(w for w in dataset.workers if w.employer_id != company)
    session.add(
        Employment(
            worker_id=newcomer.worker_id,
            company_id=company,
            start_date=TODAY + timedelta(days=1),
        )
    )
    assert count(loaded, session, company).head_count == before
    session.add(
        Employment(worker_id=newcomer.worker_id, company_id=company, start_date=TODAY)
    )
    assert count(loaded, session, company).head_count == before + 1


def test_two_employments_count_once(
    loaded: Services, session: Session, company: str
) -> None:
    before = count(loaded, session, company).head_count
    worker_id = active_employment(session, company).worker_id
    session.add(
        Employment(
            worker_id=worker_id,
            company_id=company,
            start_date=TODAY - timedelta(days=30),
        )
    )
    assert count(loaded, session, company).head_count == before
