"""The demo's scripted poaching pattern raises exactly the expected alerts,
and its week of ordinary site work raises none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from ccus.audit.alerts import AuditAlert, AuditAlertWorker
from ccus.audit.verify import verify_chain
from ccus.auth.actors import StaffActor
from ccus.crypto.keyring import create_local_keyring
from ccus.db.migrate import upgrade
from ccus.demo.dataset import Dataset
from ccus.demo.load import load_dataset
from ccus.demo.scenario import ordinary_week, poaching_pattern
from ccus.registry.models import Employment
from ccus.services import Services, build_services
from tests.conftest import FIXED_NOW, LiveServer, fixed_clock, settings_for
from tests.e2e.helpers import actor_of


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, dataset: Dataset
) -> Iterator[Services]:
    folder = tmp_path_factory.mktemp("scenario")
    keys_dir = folder / "keys"
    create_local_keyring(keys_dir)
    url = f"sqlite:///{Path(folder) / 'ccus.sqlite3'}"
    upgrade(url)
    services = build_services(settings_for(url, keys_dir), fixed_clock)
    with services.session() as session:
        load_dataset(
            session, dataset, services.vault, FIXED_NOW, indexer=services.indexer
        )
    yield services


def alerts(services: Services) -> list[AuditAlert]:
    with services.session() as session:
        return list(session.scalars(select(AuditAlert).order_by(AuditAlert.id)))


def test_ordinary_week_raises_none(demo: Services) -> None:
    assert ordinary_week(demo) > 1000
    assert alerts(demo) == []


def test_poaching_raises_expected_alerts(demo: Services) -> None:
    before = len(alerts(demo))
    assert poaching_pattern(demo) == 120
    raised = alerts(demo)[before:]
    prime = actor_of(demo, "prime").company_id
    outsider = actor_of(demo, "outsider").company_id
    assert sorted((alert.rule, alert.company_id) for alert in raised) == sorted(
        [
            ("bulk_views", prime),
            ("contact_harvest", prime),
            ("night_bulk", prime),
            ("after_end_attempts", outsider),
        ]
    )
    bulk = next(alert for alert in raised if alert.rule == "bulk_views")
    assert bulk.workers == 101
    assert bulk.client_id == "ccus-demo-cli"
    assert len(bulk.evidence) == 101
    with demo.session() as session:
        assert verify_chain(session, demo.keyring.audit_public_keys()).problem is None


def test_employer_sees_alerts_about_own_workers(demo: Services) -> None:
    poaching_pattern(demo)
    live = LiveServer(demo)
    live.start()
    try:
        with live.client(actor_of(demo, "employer")) as client:
            own = client.get("/audit/alerts").json()["items"]
        with live.client(actor_of(demo, "regulator")) as client:
            every = client.get("/audit/alerts").json()["items"]
        clerk = StaffActor(
            subject="00000000000555",
            client_id="app",
            company_id=actor_of(demo, "employer").company_id,
            roles=("clerk",),
        )
        with live.client(clerk) as client:
            refused = client.get("/audit/alerts")
    finally:
        live.stop()
    employer = actor_of(demo, "employer").company_id
    with demo.session() as session:
        involving = set(
            session.scalars(
                select(AuditAlertWorker.alert_id)
                .join(Employment, Employment.worker_id == AuditAlertWorker.worker_id)
                .where(Employment.company_id == employer, Employment.end_date.is_(None))
            )
        )
    assert "after_end_attempts" in {alert["rule"] for alert in own}
    assert {alert["id"] for alert in own} == {
        alert["id"] for alert in every if alert["id"] in involving
    }
    assert refused.status_code == 404
