"""Group commit: concurrent reads share one audit commit, and no read returns early."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ccus.audit import chain as chain_module
from ccus.audit.log import AccessContext, AuditDraft, append_rows
from ccus.audit.models import AuditEvent
from ccus.audit.verify import verify_chain
from ccus.audit.writer import AuditWriter
from ccus.auth.actors import StaffActor
from tests.conftest import FIXED_NOW
from tests.keys.conftest import Registry

WAITING = 9


class GatedAppend:
    """Append for real, but hold the first commit until released."""

    def __init__(self, registry: Registry) -> None:
        self._services = registry.services
        self.entered = threading.Event()
        self.release = threading.Event()
        self.batches: list[int] = []

    def __call__(
        self, session: Session, rows: list[dict[str, Any]], now: datetime
    ) -> None:
        self.batches.append(len(rows))
        if len(self.batches) == 1:
            self.entered.set()
            assert self.release.wait(10)
        services = self._services
        append_rows(session, services.audit_chain, services.detectors, rows, now)


def context(registry: Registry, number: int) -> AccessContext:
    actor = StaffActor(
        subject="00000000000999", client_id="app", company_id="00000000000001"
    )
    return AccessContext(
        actor=actor,
        request_id=f"req-{number}",
        now=FIXED_NOW + timedelta(seconds=number),
        chain=registry.services.audit_chain,
    )


def draft(number: int) -> AuditDraft:
    return AuditDraft("read_worker", "worker", "deny", worker_id=f"{number:014d}")


def entries(registry: Registry) -> int:
    with registry.services.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def start_writers(
    writer: AuditWriter, registry: Registry, numbers: range
) -> tuple[list[threading.Thread], dict[int, BaseException | None]]:
    outcomes: dict[int, BaseException | None] = {}

    def write(number: int) -> None:
        try:
            writer.write(context(registry, number), [draft(number)])
        except BaseException as error:  # recorded for the assertions
            outcomes[number] = error
        else:
            outcomes[number] = None

    threads = [threading.Thread(target=write, args=(n,)) for n in numbers]
    for thread in threads:
        thread.start()
    return threads, outcomes


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in 10 s"
        time.sleep(0.005)


def test_waiting_reads_share_next_commit(registry: Registry) -> None:
    before = entries(registry)
    gate = GatedAppend(registry)
    writer = AuditWriter(registry.services.session, gate, group_commit=True)
    first, first_outcome = start_writers(writer, registry, range(1))
    assert gate.entered.wait(10)
    rest, outcomes = start_writers(writer, registry, range(1, 1 + WAITING))
    wait_until(lambda: writer.queued() == WAITING)
    # No read has returned while its rows are not committed.
    assert outcomes == {}
    assert first_outcome == {}
    gate.release.set()
    for thread in first + rest:
        thread.join(10)
    writer.close()

    assert first_outcome == {0: None}
    assert outcomes == {number: None for number in range(1, 1 + WAITING)}
    assert gate.batches == [1, WAITING]
    assert entries(registry) == before + 1 + WAITING
    with registry.services.session() as session:
        keys = registry.services.keyring.audit_public_keys()
        assert verify_chain(session, keys).problem is None


def test_without_group_commit_each_read_commits_alone(registry: Registry) -> None:
    before = entries(registry)
    batches: list[int] = []

    def append(session: Session, rows: list[dict[str, Any]], now: datetime) -> None:
        batches.append(len(rows))
        services = registry.services
        append_rows(session, services.audit_chain, services.detectors, rows, now)

    writer = AuditWriter(registry.services.session, append, group_commit=False)
    threads, outcomes = start_writers(writer, registry, range(6))
    for thread in threads:
        thread.join(10)
    assert outcomes == {number: None for number in range(6)}
    assert batches == [1] * 6
    assert entries(registry) == before + 6


def test_failed_commit_fails_whole_batch(registry: Registry) -> None:
    before = entries(registry)
    gate = GatedAppend(registry)
    calls = 0

    def failing(session: Session, rows: list[dict[str, Any]], now: datetime) -> None:
        nonlocal calls
        calls += 1
        gate(session, rows, now)
        if calls == 2:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    writer = AuditWriter(registry.services.session, failing, group_commit=True)
    first, first_outcome = start_writers(writer, registry, range(1))
    assert gate.entered.wait(10)
    rest, outcomes = start_writers(writer, registry, range(1, 1 + WAITING))
    wait_until(lambda: writer.queued() == WAITING)
    gate.release.set()
    for thread in first + rest:
        thread.join(10)
    writer.close()

    assert first_outcome == {0: None}
    assert sorted(outcomes) == list(range(1, 1 + WAITING))
    assert all(isinstance(error, OperationalError) for error in outcomes.values())
    # The first read's row is committed; none of the failed batch's rows are.
    assert entries(registry) == before + 1


def test_committer_continues_after_failure(registry: Registry) -> None:
    failures = iter([True])

    def flaky(session: Session, rows: list[dict[str, Any]], now: datetime) -> None:
        if next(failures, False):
            raise OperationalError("INSERT", {}, Exception("server closed"))
        services = registry.services
        append_rows(session, services.audit_chain, services.detectors, rows, now)

    before = entries(registry)
    writer = AuditWriter(registry.services.session, flaky, group_commit=True)
    with pytest.raises(OperationalError):
        writer.write(context(registry, 1), [draft(1)])
    writer.write(context(registry, 2), [draft(2)])
    writer.close()
    assert entries(registry) == before + 1


def test_verifying_while_reads_commit_finds_nothing_wrong(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A checkpoint with every append makes each verification race with new
    # entries and checkpoints committed after it started.
    monkeypatch.setattr(chain_module, "CHECKPOINT_EVERY", 1)
    writer = registry.services.audit_writer
    stop = threading.Event()

    def keep_writing() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            writer.write(context(registry, number), [draft(number)])

    thread = threading.Thread(target=keep_writing)
    thread.start()
    keys = registry.services.keyring.audit_public_keys()
    try:
        wait_until(lambda: entries(registry) > 20)
        results = []
        for _ in range(5):
            with registry.services.session() as session:
                results.append(verify_chain(session, keys))
    finally:
        stop.set()
        thread.join(10)
        writer.close()
    assert [result.problem for result in results] == [None] * 5
    assert all(result.checkpoints > 0 for result in results)
