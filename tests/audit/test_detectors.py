"""Poaching detectors: each rule fires once for its pattern and not below it."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import select

from ccus.audit import detectors as rules
from ccus.audit.alerts import AuditAlert
from ccus.audit.detectors import (
    DetectorStore,
    MemoryStore,
    PoachingDetectors,
    RedisStore,
)
from ccus.audit.log import AccessContext, AuditDraft, write_events
from ccus.auth.actors import StaffActor
from ccus.registry.models import Employment
from ccus.sites.models import RosterEntry
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas
from tests.keys.conftest import Registry

REDIS_ENV = "CCUS_TEST_REDIS_URL"
# Monday 2026-11-30, 10:00 JST: a working day, by day.
WORKDAY = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
# The same day at 23:00 JST.
NIGHT = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
PRIME = StaffActor(
    subject="00000000000998", client_id="harvester", company_id="00000000000002"
)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Iterator[DetectorStore]:
    if request.param == "memory":
        yield MemoryStore()
        return
    url = os.environ.get(REDIS_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REDIS_ENV} is not set; CI must run against Redis")
        pytest.skip(f"{REDIS_ENV} is not set")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_ENV} is unreachable: {error}")
    yield RedisStore(client)
    client.close()


@pytest.fixture
def detectors(store: DetectorStore) -> Iterator[PoachingDetectors]:
    prefix = f"ccus-test-{secrets.token_hex(4)}"
    yield PoachingDetectors(store, prefix=prefix)
    if isinstance(store, RedisStore):
        client = store._client
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)


def read(
    registry: Registry,
    detectors: PoachingDetectors,
    at: datetime,
    drafts: list[AuditDraft],
    actor: StaffActor = PRIME,
) -> None:
    services = registry.services
    context = AccessContext(
        actor=actor,
        request_id="req",
        now=at,
        chain=services.audit_chain,
        detectors=detectors,
    )
    with services.session() as session:
        write_events(session, context, drafts)
        session.commit()


def stranger(number: int) -> str:
    """A worker id that no company employs, so every company is another."""
    return f"9{number:013d}"


def profile(worker_id: str, groups: list[str] | None = None) -> AuditDraft:
    return AuditDraft(
        "read_worker",
        "worker",
        "allow",
        worker_id=worker_id,
        field_groups=groups if groups is not None else ["history"],
    )


def alerts(registry: Registry) -> list[AuditAlert]:
    with registry.services.session() as session:
        return list(session.scalars(select(AuditAlert).order_by(AuditAlert.id)))


def test_bulk_views_fires_once(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    for number in range(130):
        at = WORKDAY + timedelta(seconds=20 * number)
        read(registry, detectors, at, [profile(stranger(number))])
    found = alerts(registry)
    assert [alert.rule for alert in found] == ["bulk_views"]
    alert = found[0]
    assert alert.company_id == PRIME.company_id
    assert alert.client_id == "harvester"
    assert alert.workers == 101
    assert alert.first_at == WORKDAY
    assert alert.last_at == WORKDAY + timedelta(seconds=20 * 100)
    assert len(alert.evidence) == 101
    assert alert.evidence == sorted(alert.evidence)


def test_roster_pages_not_bulk_views(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    listing = [
        AuditDraft(
            "list_roster",
            "roster",
            "allow",
            worker_id=stranger(number),
            field_groups=["roster"],
        )
        for number in range(150)
    ]
    for page in range(3):
        at = WORKDAY + timedelta(minutes=page)
        read(registry, detectors, at, listing[page * 50 : page * 50 + 50])
    assert alerts(registry) == []


def test_bulk_views_below_threshold(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    for number in range(100):
        at = WORKDAY + timedelta(seconds=30 * number)
        read(registry, detectors, at, [profile(stranger(number))])
    # The first reads have left the one-hour window by now.
    later = WORKDAY + timedelta(hours=1, minutes=30)
    read(registry, detectors, later, [profile(stranger(500 + n)) for n in range(10)])
    assert alerts(registry) == []


def test_bulk_views_evidence_capped(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    drafts = [profile(stranger(number)) for number in range(250)]
    read(registry, detectors, WORKDAY, drafts)
    found = alerts(registry)
    assert [alert.rule for alert in found] == ["bulk_views"]
    assert len(found[0].evidence) == rules.EVIDENCE_LIMIT
    assert found[0].workers == 250


@pytest.mark.parametrize(("count", "fires"), [(30, False), (31, True), (40, True)])
def test_contact_harvest_threshold(
    registry: Registry, detectors: PoachingDetectors, count: int, fires: bool
) -> None:
    for number in range(count):
        at = WORKDAY + timedelta(minutes=10 * number)
        read(registry, detectors, at, [profile(stranger(number), ["roster"])])
    found = [a.rule for a in alerts(registry) if a.rule == "contact_harvest"]
    assert found == (["contact_harvest"] if fires else [])


@pytest.mark.parametrize(("count", "fires"), [(4, False), (5, True), (9, True)])
def test_after_end_attempts_threshold(
    registry: Registry, detectors: PoachingDetectors, count: int, fires: bool
) -> None:
    for number in range(count):
        at = WORKDAY + timedelta(hours=2 * number)
        denied = AuditDraft("read_worker", "worker", "deny", worker_id=stranger(1))
        read(registry, detectors, at, [denied])
    found = [a.rule for a in alerts(registry)]
    assert found == (["after_end_attempts"] if fires else [])


@pytest.mark.parametrize(("count", "fires"), [(20, False), (21, True), (30, True)])
def test_night_bulk_threshold(
    registry: Registry, detectors: PoachingDetectors, count: int, fires: bool
) -> None:
    for number in range(count):
        at = NIGHT + timedelta(minutes=5 * number)
        read(registry, detectors, at, [profile(stranger(number % 3))])
    found = [a.rule for a in alerts(registry)]
    assert found == (["night_bulk"] if fires else [])


def test_sunday_counts_as_off_hours() -> None:
    sunday_noon = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    holiday_noon = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    early_monday = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
    assert rules.off_hours_period(sunday_noon) == "day-2026-11-29"
    assert rules.off_hours_period(holiday_noon) == "day-2026-11-23"
    assert rules.off_hours_period(early_monday) == "night-2026-11-29"
    assert rules.off_hours_period(WORKDAY) is None


def test_ordinary_week_raises_none(
    registry: Registry, detectors: PoachingDetectors
) -> None:
    services = registry.services
    employer = actor_of(services, "employer")
    prime = actor_of(services, "prime")
    outsider = actor_of(services, "outsider")
    assert isinstance(employer, StaffActor)
    assert isinstance(prime, StaffActor)
    assert isinstance(outsider, StaffActor)
    site_id = personas(services)["site_id"]
    with services.session() as session:
        own = list(
            session.scalars(
                select(Employment.worker_id).where(
                    Employment.company_id == employer.company_id,
                    Employment.end_date.is_(None),
                )
            )
        )
        roster = list(
            session.scalars(
                select(RosterEntry.worker_id).where(RosterEntry.site_id == site_id)
            )
        )
    assert own
    assert roster
    listing = [
        AuditDraft(
            "list_roster",
            "roster",
            "allow",
            worker_id=worker_id,
            site_id=site_id,
            field_groups=["roster"],
        )
        for worker_id in roster
    ]
    # Monday to Saturday by day, because the site is closed on Sunday.
    for day in range(6):
        morning = WORKDAY + timedelta(days=day)
        for number, worker_id in enumerate(own):
            at = morning + timedelta(minutes=number)
            read(registry, detectors, at, [profile(worker_id, ["roster"])], employer)
        read(registry, detectors, morning, listing, prime)
        read(registry, detectors, morning + timedelta(hours=5), listing, prime)
        for worker_id in roster[:3]:
            at = morning + timedelta(hours=2)
            read(registry, detectors, at, [profile(worker_id, ["roster"])], prime)
        denied = AuditDraft("read_worker", "worker", "deny", worker_id=stranger(day))
        read(registry, detectors, morning, [denied], outsider)
    assert alerts(registry) == []


@pytest.fixture
def server(registry: Registry) -> Iterator[LiveServer]:
    live = LiveServer(registry.services)
    live.start()
    yield live
    live.stop()


def test_alerts_for_regulator(server: LiveServer, registry: Registry) -> None:
    detectors = PoachingDetectors(MemoryStore())
    drafts = [profile(stranger(number)) for number in range(rules.NIGHT_BULK_MIN_READS)]
    read(registry, detectors, NIGHT, drafts)
    with server.client(actor_of(server.services, "regulator")) as client:
        page = client.get("/audit/alerts").json()
        filtered = client.get(
            "/audit/alerts", params={"rule": "night_bulk", "limit": 1}
        ).json()
        other = client.get(
            "/audit/alerts", params={"company_id": "00000000000003"}
        ).json()
    assert [item["rule"] for item in page["items"]] == ["night_bulk"]
    assert page["items"][0]["company_id"] == PRIME.company_id
    assert page["items"][0]["workers"] == rules.NIGHT_BULK_MIN_READS
    assert page["next_cursor"] is None
    assert [item["rule"] for item in filtered["items"]] == ["night_bulk"]
    assert other["items"] == []


@pytest.mark.parametrize("name", ["prime", "worker", "device"])
def test_alerts_hidden_from_others(server: LiveServer, name: str) -> None:
    with server.client(actor_of(server.services, name)) as client:
        assert_problem(client.get("/audit/alerts"), 404)


def test_employer_admin_sees_only_own(server: LiveServer) -> None:
    with server.client(actor_of(server.services, "employer")) as client:
        response = client.get("/audit/alerts")
    assert response.status_code == 200
    assert response.json()["items"] == []
