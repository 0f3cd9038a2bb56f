"""Load a generated demo data set through the service's own write paths.

Workers are sealed by the vault like any registration, subcontract trees
are built with their closure, and card touches go through the same batch
ingestion an entry/exit system uses, so work history is derived, not copied.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccus.consent.models import Consent
from ccus.demo.dataset import Dataset
from ccus.demo.models import DemoPersona
from ccus.history.touches import MAX_TOUCHES_PER_BATCH, Touch, ingest_touches
from ccus.registry.indexes import WorkerIndexer
from ccus.registry.models import Company, Employment, Staff
from ccus.registry.vault import WorkerVault
from ccus.sites.models import CompanyAgreement, RosterEntry, Site
from ccus.sites.tree import add_subcontract

DEMO_DEVICE_CLIENT = "demo-entry-exit-system"
WORKER_CHUNK = 2000


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Company))


def load_dataset(
    session: Session,
    dataset: Dataset,
    vault: WorkerVault,
    now: datetime,
    progress: Callable[[str, int], None] = lambda stage, count: None,
    indexer: WorkerIndexer | None = None,
) -> None:
    """Write ``dataset`` into an empty database and commit."""
    for company in dataset.companies:
        session.add(Company(**_company_columns(company), created_at=now))
    session.flush()
    session.add_all(
        Staff(staff_id=s.staff_id, company_id=s.company_id, roles=list(s.roles))
        for s in dataset.staff
    )
    session.add_all(
        CompanyAgreement(
            upper_company_id=agreement.upper_company_id,
            lower_company_id=agreement.lower_company_id,
            signed_on=agreement.signed_on,
            ended_on=agreement.ended_on,
        )
        for agreement in dataset.agreements
    )
    session.flush()
    progress("companies", len(dataset.companies))

    for start in range(0, len(dataset.workers), WORKER_CHUNK):
        chunk = dataset.workers[start : start + WORKER_CHUNK]
        for worker in chunk:
            row, key_row = vault.seal_worker(worker.worker_id, worker.groups, now)
            session.add(row)
            session.add(key_row)
            if indexer is not None:
                identity = worker.groups["identity"]
                session.add_all(indexer.rows_for(worker.worker_id, identity))
        session.flush()
        for worker in chunk:
            session.add(
                Employment(
                    worker_id=worker.worker_id,
                    company_id=worker.employer_id,
                    start_date=worker.hire_date,
                )
            )
            for past in worker.past_employers:
                session.add(
                    Employment(
                        worker_id=worker.worker_id,
                        company_id=past.company_id,
                        start_date=past.start,
                        end_date=past.end,
                    )
                )
        session.flush()
        progress("workers", len(chunk))

    for site in dataset.sites:
        session.add(Site(**_site_columns(site)))
    session.flush()
    for node in sorted(dataset.subcontracts, key=lambda n: n.tier):
        add_subcontract(session, node.site_id, node.company_id, node.parent_company_id)
    for entry in dataset.roster:
        session.add(RosterEntry(**_entry_columns(entry)))
    session.flush()
    progress("roster", len(dataset.roster))

    by_site: dict[str, list[Touch]] = defaultdict(list)
    for touch in dataset.touches:
        by_site[touch.site_id].append(
            Touch(
                touch_id=touch.device_touch_id,
                worker_id=touch.worker_id,
                touched_at=touch.touched_at,
                direction=touch.direction,  # type: ignore[arg-type]
            )
        )
    for site_id, touches in by_site.items():
        site_row = session.get(Site, site_id)
        assert site_row is not None
        touches.sort(key=lambda t: t.touched_at)
        for start in range(0, len(touches), MAX_TOUCHES_PER_BATCH):
            batch = touches[start : start + MAX_TOUCHES_PER_BATCH]
            ingest_touches(session, site_row, batch, DEMO_DEVICE_CLIENT, now)
            progress("touches", len(batch))

    personas = dataset.personas()
    for name, value in personas.items():
        session.add(DemoPersona(name=name, value=value))
    session.add(demo_consent(dataset, personas, now))
    session.commit()


def demo_consent(dataset: Dataset, personas: dict[str, str], now: datetime) -> Consent:
    """Return the demo consent: the target worker's qualifications for 90 days.

    The worker and their employer have both approved it, for the company of
    the ``consented`` persona.
    """
    staff = {member.staff_id: member for member in dataset.staff}
    target = next(w for w in dataset.workers if w.worker_id == personas["worker"])
    return Consent(
        worker_id=target.worker_id,
        employer_company_id=target.employer_id,
        recipient_company_id=staff[personas["consented"]].company_id,
        groups=["qualifications"],
        purpose="skills_check",
        expires_at=now + timedelta(days=90),
        requested_at=now,
        requested_by_kind="staff",
        requested_by=personas["consented"],
        worker_decision="approved",
        worker_decided_at=now,
        employer_decision="approved",
        employer_decided_at=now,
        employer_decided_by=personas["employer"],
    )


def read_personas(session: Session) -> dict[str, str]:
    return {row.name: row.value for row in session.scalars(select(DemoPersona))}


def _company_columns(company: object) -> dict[str, object]:
    fields = (
        "company_id",
        "name",
        "name_kana",
        "permit_issuer",
        "permit_kind",
        "permit_number",
        "permit_trades",
        "permit_date",
        "kentaikyo_contractor_number",
        "address",
        "phone",
        "is_sole_proprietor",
    )
    values = {name: getattr(company, name) for name in fields}
    values["permit_trades"] = list(values["permit_trades"])
    return values


def _site_columns(site: object) -> dict[str, object]:
    fields = (
        "site_id",
        "name",
        "address",
        "prime_company_id",
        "orderer_name",
        "orderer_company_id",
        "period_start",
        "period_end",
        "status",
        "handover_date",
    )
    return {name: getattr(site, name) for name in fields}


def _entry_columns(entry: object) -> dict[str, object]:
    fields = (
        "site_id",
        "worker_id",
        "company_id",
        "trade",
        "position",
        "entry_date",
        "induction_date",
        "exit_date",
    )
    return {name: getattr(entry, name) for name in fields}
