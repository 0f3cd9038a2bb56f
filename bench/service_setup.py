"""Build a fresh service database and keyring, and the bearer tokens to call it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from bench.baseline_app import HistoryRow
from ccus.audit.models import AuditEvent
from ccus.auth.actors import StaffActor
from ccus.auth.scopes import scopes_for_kind
from ccus.clock import system_clock
from ccus.config import Settings, load_settings
from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.dataset import Dataset
from ccus.demo.load import load_dataset
from ccus.demo.personas import DEMO_CLIENT
from ccus.history.models import WorkHistory
from ccus.services import Services, build_services


@dataclass(frozen=True)
class ServiceDatabase:
    """A loaded service database, its services and the environment to serve it."""

    path: Path | None
    environment: dict[str, str]
    services: Services

    @property
    def settings(self) -> Settings:
        return self.services.settings


def prepare_service(
    folder: Path, dataset: Dataset, database_url: str | None = None
) -> ServiceDatabase:
    """Create a keyring and a migrated database, then load the data set.

    The database is a SQLite file in ``folder`` unless ``database_url`` names
    an empty one. The service reads the real clock, so the data set is loaded
    at the current time like ``ccus demo load`` does.
    """
    path = None if database_url else folder / "service.sqlite3"
    keys_dir = folder / "keys"
    create_local_keyring(keys_dir)
    environment = {
        **os.environ,
        "CCUS_MODE": "development",
        "CCUS_DATABASE_URL": database_url or f"sqlite:///{path}",
        "CCUS_KEYS_DIR": str(keys_dir),
    }
    settings = load_settings(environment)
    upgrade(settings.database_url)
    services = build_services(settings, system_clock)
    with services.session() as session:
        load_dataset(session, dataset, services.vault, system_clock())
    return ServiceDatabase(path, environment, services)


def read_history(services: Services) -> list[HistoryRow]:
    """Return every work history record, formatted as the service's responses."""
    with services.session() as session:
        return [
            HistoryRow(
                worker_id=row.worker_id,
                site_id=row.site_id,
                work_date=row.work_date.isoformat(),
                employer_id=row.employer_company_id,
                tier=row.tier,
                trade=row.trade,
                position=row.position,
                entry_at=row.entry_at.isoformat() if row.entry_at else None,
                exit_at=row.exit_at.isoformat() if row.exit_at else None,
            )
            for row in session.scalars(select(WorkHistory).order_by(WorkHistory.id))
        ]


def count_audit_events(services: Services) -> int:
    with services.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def staff_token(
    services: Services, dataset: Dataset, staff_id: str, lifetime_seconds: int
) -> str:
    """Issue a bearer token for one staff member, with every scope staff may hold."""
    staff = next(member for member in dataset.staff if member.staff_id == staff_id)
    actor = StaffActor(
        subject=staff.staff_id,
        client_id=DEMO_CLIENT,
        scopes=scopes_for_kind(StaffActor.kind),
        company_id=staff.company_id,
        roles=tuple(staff.roles),
    )
    return services.tokens.issue(actor, lifetime_seconds=lifetime_seconds)


def employer_tokens(
    services: Services, dataset: Dataset, personas: dict[str, str], lifetime: int
) -> dict[str, str]:
    """Issue one token per employing company, keyed by company id.

    The employer persona's own staff member speaks for its company; every
    other company gets its first administrator, or its first staff member.
    Each token may read the base screen of its company's workers, like the
    persona's token.
    """
    persona_staff = personas["employer"]
    chosen: dict[str, str] = {}
    for member in dataset.staff:
        if member.staff_id == persona_staff:
            chosen[member.company_id] = member.staff_id
    for member in dataset.staff:
        if member.company_id in chosen:
            continue
        if "administrator" in member.roles:
            chosen[member.company_id] = member.staff_id
    for member in dataset.staff:
        chosen.setdefault(member.company_id, member.staff_id)
    employers = {worker.employer_id for worker in dataset.workers}
    missing = employers - chosen.keys()
    if missing:
        raise ValueError(f"employing companies without staff: {sorted(missing)}")
    return {
        company_id: staff_token(services, dataset, chosen[company_id], lifetime)
        for company_id in sorted(employers)
    }
