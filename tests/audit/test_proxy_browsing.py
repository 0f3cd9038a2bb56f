"""The proxy_browsing rule: reads of workers a company registered by proxy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from ccus.audit.detectors import PoachingDetectors
from ccus.audit.log import AuditDraft
from ccus.audit.models import AuditEvent
from ccus.auth.actors import StaffActor
from ccus.registry.models import Employment
from tests.audit import test_detectors
from tests.audit.test_detectors import (
    PRIME,
    WORKDAY,
    alerts,
    profile,
    read,
    stranger,
)
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, personas
from tests.e2e.test_proxy_registration import entry_body, new_worker
from tests.keys.conftest import Registry

# The detector tests' store and detectors fixtures, over memory and Redis.
store = test_detectors.store
detectors = test_detectors.detectors

SITE = "00000000000777"
OTHER = StaffActor(
    subject="00000000000997", client_id="other", company_id="00000000000003"
)


def registration(
    worker_id: str, kind: str = "agreement", decision: str = "allow"
) -> AuditDraft:
    basis = [] if decision == "deny" else [{"kind": kind, "ref": "7", "groups": []}]
    return AuditDraft(
        "register_roster_entry",
        "roster_entry",
        decision,
        worker_id=worker_id,
        site_id=SITE,
        basis=basis,
    )


def seqs(registry: Registry, action: str) -> list[int]:
    with registry.services.session() as session:
        return list(
            session.scalars(
                select(AuditEvent.seq)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.seq)
            )
        )


def test_read_after_registration_fires(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    read(registry, detectors, WORKDAY, [registration(stranger(1))])
    later = WORKDAY + timedelta(hours=3)
    read(registry, detectors, later, [profile(stranger(1), ["roster"])])
    found = alerts(registry)
    assert [alert.rule for alert in found] == ["proxy_browsing"]
    alert = found[0]
    assert alert.company_id == PRIME.company_id
    assert alert.client_id == PRIME.client_id
    assert alert.workers == 1
    assert alert.first_at == WORKDAY
    assert alert.last_at == later
    registered = seqs(registry, "register_roster_entry")
    browsed = seqs(registry, "read_worker")
    assert alert.evidence == registered + browsed


def test_denied_read_fires(registry: Registry, detectors: PoachingDetectors) -> None:
    read(registry, detectors, WORKDAY, [registration(stranger(1))])
    denied = AuditDraft("read_worker", "worker", "deny", worker_id=stranger(1))
    read(registry, detectors, WORKDAY + timedelta(minutes=5), [denied])
    assert [alert.rule for alert in alerts(registry)] == ["proxy_browsing"]


@pytest.mark.parametrize(
    "draft",
    [
        registration(stranger(1), kind="employment"),
        registration(stranger(1), decision="deny"),
        registration(stranger(2)),
    ],
    ids=["own-employment", "denied-registration", "other-worker"],
)
def test_no_proxy_registration_no_alert(
    registry: Registry, detectors: PoachingDetectors, draft: AuditDraft
) -> None:
    read(registry, detectors, WORKDAY, [draft])
    read(registry, detectors, WORKDAY + timedelta(hours=1), [profile(stranger(1))])
    assert alerts(registry) == []


def test_roster_page_no_alert(registry: Registry, detectors: PoachingDetectors) -> None:
    read(registry, detectors, WORKDAY, [registration(stranger(1))])
    listing = AuditDraft(
        "list_roster",
        "roster",
        "allow",
        worker_id=stranger(1),
        site_id=SITE,
        field_groups=["roster"],
    )
    read(registry, detectors, WORKDAY + timedelta(hours=1), [listing])
    assert alerts(registry) == []


def test_other_company_read_no_alert(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    read(registry, detectors, WORKDAY, [registration(stranger(1))])
    later = WORKDAY + timedelta(hours=1)
    read(registry, detectors, later, [profile(stranger(1))], OTHER)
    assert alerts(registry) == []


@pytest.mark.parametrize(("days", "fires"), [(89, True), (91, False)])
def test_registration_counts_90_days(
    registry: Registry, detectors: PoachingDetectors, days: int, fires: bool
) -> None:
    read(registry, detectors, WORKDAY, [registration(stranger(1))])
    later = WORKDAY + timedelta(days=days)
    read(registry, detectors, later, [profile(stranger(1))])
    found = [alert.rule for alert in alerts(registry)]
    assert found == (["proxy_browsing"] if fires else [])


def test_fires_once_a_day(registry: Registry, detectors: PoachingDetectors) -> None:
    drafts = [registration(stranger(number)) for number in range(3)]
    read(registry, detectors, WORKDAY, drafts)
    for hour, number in ((1, 0), (2, 1), (26, 2)):
        at = WORKDAY + timedelta(hours=hour)
        read(registry, detectors, at, [profile(stranger(number))])
    found = alerts(registry)
    assert [alert.rule for alert in found] == ["proxy_browsing", "proxy_browsing"]
    assert [alert.last_at for alert in found] == [
        WORKDAY + timedelta(hours=1),
        WORKDAY + timedelta(hours=26),
    ]
    # The read two hours in is still inside the 24-hour window.
    assert found[1].workers == 2


def test_own_employee_read_no_alert(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    employer = actor_of(registry.services, "employer")
    assert isinstance(employer, StaffActor)
    with registry.services.session() as session:
        worker_id = session.scalar(
            select(Employment.worker_id)
            .where(
                Employment.company_id == employer.company_id,
                Employment.end_date.is_(None),
            )
            .limit(1)
        )
    assert worker_id is not None
    # The registering company has hired the worker since.
    read(registry, detectors, WORKDAY, [registration(worker_id)], employer)
    later = WORKDAY + timedelta(hours=1)
    read(registry, detectors, later, [profile(worker_id)], employer)
    assert alerts(registry) == []


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()


def test_api_registration_then_read(server: LiveServer) -> None:
    worker_id = new_worker(server, "rebar_2")
    upper = actor_of(server.services, "upper")
    with server.client(upper) as client:
        body = entry_body(worker_id, "rebar_2")
        assert client.post(f"/sites/{site(server)}/roster", json=body).is_success
        # The entry opens nothing before the worker works on the site, so
        # the read is denied, and the attempt still raises the alert.
        assert client.get(f"/workers/{worker_id}").status_code == 404
    with server.client(actor_of(server.services, "regulator")) as client:
        items = client.get("/audit/alerts").json()["items"]
    assert [item["rule"] for item in items] == ["proxy_browsing"]
    assert items[0]["company_id"] == upper.company_id
    with server.client(actor_of(server.services, "employer")) as client:
        own = client.get("/audit/alerts").json()["items"]
    assert [item["id"] for item in own] == [items[0]["id"]]


def site(server: LiveServer) -> str:
    return personas(server.services)["site_id"]
