"""Card touch batches: per-touch rejection, replay, night shifts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ccus.auth.actors import DeviceActor
from ccus.history.models import CardTouch, WorkHistory
from ccus.registry.models import Worker
from ccus.sites.models import RosterEntry, Site
from tests.conftest import LiveServer
from tests.e2e.helpers import actor_of, assert_problem, personas

NIGHT = date(2026, 11, 29)


def touch_count(server: LiveServer) -> int:
    with server.services.session() as session:
        return int(session.scalar(select(func.count()).select_from(CardTouch)) or 0)


def idle_worker(server: LiveServer, site_id: str, day: date) -> str:
    """Return a worker on the live roster with no history on ``day``."""
    with server.services.session() as session:
        busy = select(WorkHistory.worker_id).where(
            WorkHistory.site_id == site_id, WorkHistory.work_date == day
        )
        worker_id = session.scalar(
            select(RosterEntry.worker_id)
            .where(
                RosterEntry.site_id == site_id,
                RosterEntry.exit_date.is_(None),
                RosterEntry.entry_date < day,
                RosterEntry.worker_id.not_in(busy),
            )
            .order_by(RosterEntry.id.desc())
            .limit(1)
        )
    assert worker_id is not None
    return str(worker_id)


def post(server: LiveServer, site_id: str, body: object, actor=None):  # type: ignore[no-untyped-def]
    actor = actor or actor_of(server.services, "device")
    with server.client(actor) as client:
        return client.post(f"/sites/{site_id}/touches", json=body)


@pytest.fixture(scope="module")
def night_batch(server: LiveServer) -> tuple[str, str, list[dict[str, str]]]:
    site_id = personas(server.services)["site_id"]
    worker_id = idle_worker(server, site_id, NIGHT)
    with server.services.session() as session:
        site = session.get(Site, site_id)
        assert site is not None
        before_period = site.period_start - timedelta(days=10)
    touches = [
        {
            "touch_id": f"night-{worker_id}-in",
            "worker_id": worker_id,
            "touched_at": "2026-11-29T21:55:00+09:00",
            "direction": "in",
        },
        {
            "touch_id": f"night-{worker_id}-ghost",
            "worker_id": "99999999999998",
            "touched_at": "2026-11-29T21:56:00+09:00",
            "direction": "in",
        },
        {
            "touch_id": f"night-{worker_id}-early",
            "worker_id": worker_id,
            "touched_at": f"{before_period.isoformat()}T08:00:00+09:00",
            "direction": "in",
        },
        {
            "touch_id": f"night-{worker_id}-out",
            "worker_id": worker_id,
            "touched_at": "2026-11-30T06:05:00+09:00",
            "direction": "out",
        },
    ]
    return site_id, worker_id, touches


def test_batch_rejects_bad_touches_alone(
    server: LiveServer, night_batch: tuple[str, str, list[dict[str, str]]]
) -> None:
    site_id, _, touches = night_batch
    before = touch_count(server)
    response = post(server, site_id, {"touches": touches})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert body["duplicates"] == 0
    reasons = {item["index"]: item["reason"] for item in body["rejected"]}
    assert reasons == {1: "not_on_roster", 2: "outside_accumulation_period"}
    assert all(item["detail"] for item in body["rejected"])
    assert touch_count(server) == before + 2


def test_replayed_batch_stores_nothing(
    server: LiveServer, night_batch: tuple[str, str, list[dict[str, str]]]
) -> None:
    site_id, _, touches = night_batch
    post(server, site_id, {"touches": touches})
    before = touch_count(server)
    body = post(server, site_id, {"touches": touches}).json()
    assert body["accepted"] == 0
    assert body["duplicates"] == 2
    assert len(body["rejected"]) == 2
    assert touch_count(server) == before


def test_night_shift_keeps_start_day(
    server: LiveServer, night_batch: tuple[str, str, list[dict[str, str]]]
) -> None:
    site_id, worker_id, touches = night_batch
    post(server, site_id, {"touches": touches})
    with server.services.session() as session:
        records = session.scalars(
            select(WorkHistory).where(
                WorkHistory.worker_id == worker_id,
                WorkHistory.site_id == site_id,
                WorkHistory.work_date >= NIGHT,
            )
        ).all()
    assert [record.work_date for record in records] == [NIGHT]
    assert records[0].entry_at is not None and records[0].exit_at is not None
    assert records[0].entry_at.isoformat() == "2026-11-29T12:55:00+00:00"
    assert records[0].exit_at.isoformat() == "2026-11-29T21:05:00+00:00"


def test_worker_off_roster_rejected(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    with server.services.session() as session:
        on_roster = select(RosterEntry.worker_id).where(RosterEntry.site_id == site_id)
        outsider = session.scalar(
            select(Worker.worker_id).where(Worker.worker_id.not_in(on_roster)).limit(1)
        )
    touch = {
        "touch_id": f"off-roster-{outsider}",
        "worker_id": outsider,
        "touched_at": "2026-11-27T08:00:00+09:00",
        "direction": "in",
    }
    body = post(server, site_id, {"touches": [touch]}).json()
    assert body["accepted"] == 0
    assert body["rejected"][0]["reason"] == "not_on_roster"


def test_future_and_naive_times_rejected(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    worker_id = idle_worker(server, site_id, NIGHT)
    touches = [
        {
            "touch_id": "future-1",
            "worker_id": worker_id,
            "touched_at": "2026-12-30T08:00:00+09:00",
            "direction": "in",
        },
        {
            "touch_id": "naive-1",
            "worker_id": worker_id,
            "touched_at": "2026-11-27T08:00:00",
            "direction": "in",
        },
    ]
    body = post(server, site_id, {"touches": touches}).json()
    assert [item["reason"] for item in body["rejected"]] == [
        "in_the_future",
        "naive_time",
    ]


def test_device_of_other_site_gets_404(server: LiveServer) -> None:
    past_site = personas(server.services)["past_site_id"]
    live_site = personas(server.services)["site_id"]
    device = DeviceActor(subject="d", client_id="d", site_id=live_site)
    touch = {
        "touch_id": "elsewhere-1",
        "worker_id": personas(server.services)["worker"],
        "touched_at": "2026-11-27T08:00:00+09:00",
        "direction": "in",
    }
    assert_problem(post(server, past_site, {"touches": [touch]}, device), 404)


@pytest.mark.parametrize("name", ["prime", "worker", "regulator"])
def test_non_device_gets_404(server: LiveServer, name: str) -> None:
    site_id = personas(server.services)["site_id"]
    touch = {
        "touch_id": f"not-device-{name}",
        "worker_id": personas(server.services)["worker"],
        "touched_at": "2026-11-27T08:00:00+09:00",
        "direction": "in",
    }
    actor = actor_of(server.services, name)
    assert_problem(post(server, site_id, {"touches": [touch]}, actor), 404)


def test_far_time_rejected_alone(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    worker_id = idle_worker(server, site_id, date(2026, 11, 28))
    touches = [
        {
            "touch_id": "far-past-1",
            "worker_id": worker_id,
            "touched_at": "0001-01-01T00:00:00+14:00",
            "direction": "in",
        },
        {
            "touch_id": f"far-past-good-{worker_id}",
            "worker_id": worker_id,
            "touched_at": "2026-11-28T08:00:00+09:00",
            "direction": "in",
        },
    ]
    response = post(server, site_id, {"touches": touches})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == 1
    assert [item["reason"] for item in body["rejected"]] == ["invalid_time"]


def test_in_touch_after_exit_rejected(server: LiveServer) -> None:
    site_id = personas(server.services)["site_id"]
    with server.services.session() as session:
        entry = session.scalar(
            select(RosterEntry)
            .where(
                RosterEntry.site_id == site_id,
                RosterEntry.exit_date.is_not(None),
            )
            .limit(1)
        )
    assert entry is not None and entry.exit_date is not None
    next_day = entry.exit_date + timedelta(days=1)
    touches = [
        {
            "touch_id": f"after-exit-{entry.worker_id}-{direction}",
            "worker_id": entry.worker_id,
            "touched_at": f"{next_day.isoformat()}T{clock}+09:00",
            "direction": direction,
        }
        for direction, clock in (("in", "07:30:00"), ("out", "05:00:00"))
    ]
    body = post(server, site_id, {"touches": touches}).json()
    assert [item["index"] for item in body["rejected"]] == [0]
    assert body["rejected"][0]["reason"] == "not_on_roster"
