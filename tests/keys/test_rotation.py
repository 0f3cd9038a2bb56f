"""Rotation: rewrap, re-encryption and retirement keep every value readable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ccus.cli import main
from ccus.crypto.keyring import KeyringError, add_local_kek, remove_local_kek
from ccus.registry.models import KeyOperation, WorkerKey
from ccus.registry.rotation import (
    count_wrapped_by,
    pending_rewrap,
    prune_superseded_keys,
    reencrypt_all,
    reencrypt_worker,
    rewrap_all,
)
from tests.conftest import fixed_clock
from tests.keys.conftest import Registry
from tests.keys.helpers import assert_all_read_back, expected_groups, open_worker


class Interrupted(Exception):
    """Stands for a process killed between two batches."""


def interrupt_after(batches: int):  # type: ignore[no-untyped-def]
    seen = []

    def progress(count: int) -> None:
        seen.append(count)
        if len(seen) >= batches:
            raise Interrupted

    return progress


def test_rewrap_moves_every_key(registry: Registry) -> None:
    services = registry.services
    old = services.vault.provider.active_kek_id()
    new = add_local_kek(registry.keys_dir)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    assert services.vault.provider.active_kek_id() == new
    done = rewrap_all(services.sessions, services.vault, batch_size=7)
    assert done == len(registry.dataset.workers)
    with services.session() as session:
        assert count_wrapped_by(session, old) == 0
        assert count_wrapped_by(session, new) == done
    assert_all_read_back(registry)


def test_rewrap_resumes_after_interruption(registry: Registry) -> None:
    services = registry.services
    add_local_kek(registry.keys_dir)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    active = services.vault.provider.active_kek_id()
    with pytest.raises(Interrupted):
        rewrap_all(services.sessions, services.vault, 10, interrupt_after(2))
    with services.session() as session:
        assert pending_rewrap(session, active) == len(registry.dataset.workers) - 20
    rewrap_all(services.sessions, services.vault, 10)
    with services.session() as session:
        assert pending_rewrap(session, active) == 0
    assert_all_read_back(registry)


def test_retire_refused_while_in_use(registry: Registry) -> None:
    services = registry.services
    old = services.vault.provider.active_kek_id()
    add_local_kek(registry.keys_dir)
    with services.session() as session:
        count = count_wrapped_by(session, old)
    assert count == len(registry.dataset.workers)
    env = {
        "CCUS_KEYS_DIR": str(registry.keys_dir),
        "CCUS_DATABASE_URL": registry.backend.url,
    }
    result = CliRunner().invoke(main, ["keys", "retire", old], env=env)
    assert result.exit_code == 1
    assert f"{count} data keys are still wrapped" in result.output


def test_retire_active_kek_refused(registry: Registry) -> None:
    active = registry.services.vault.provider.active_kek_id()
    with pytest.raises(KeyringError, match="is active"):
        remove_local_kek(registry.keys_dir, active)


def test_retired_kek_makes_old_wrap_unreadable(registry: Registry) -> None:
    services = registry.services
    worker_id = registry.dataset.workers[0].worker_id
    with services.session() as session:
        before = session.scalar(
            select(WorkerKey).where(WorkerKey.worker_id == worker_id)
        )
        assert before is not None
        session.expunge(before)
    old = services.vault.provider.active_kek_id()
    add_local_kek(registry.keys_dir)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    rewrap_all(services.sessions, services.vault)
    remove_local_kek(registry.keys_dir, old)
    services.vault.provider._source.refresh()  # type: ignore[attr-defined]
    with pytest.raises(KeyringError, match=old):
        services.vault.data_key(before)
    assert_all_read_back(registry)


def test_reencrypt_gives_new_versions(registry: Registry) -> None:
    services = registry.services
    done = reencrypt_all(
        services.sessions, services.vault, fixed_later, batch_size=9, grace_seconds=0
    )
    assert done == len(registry.dataset.workers)
    with services.session() as session:
        versions = set(session.scalars(select(WorkerKey.version)))
        operation = session.scalar(select(KeyOperation))
    assert versions == {2}
    assert operation is not None and operation.finished_at is not None
    assert_all_read_back(registry)


def test_reencrypt_resumes_after_interruption(registry: Registry) -> None:
    services = registry.services
    with pytest.raises(Interrupted):
        reencrypt_all(
            services.sessions,
            services.vault,
            fixed_later,
            batch_size=5,
            grace_seconds=0,
            progress=interrupt_after(3),
        )
    assert_all_read_back(registry)
    done = reencrypt_all(
        services.sessions, services.vault, fixed_later, batch_size=5, grace_seconds=0
    )
    assert done == len(registry.dataset.workers) - 15
    with services.session() as session:
        versions = set(session.scalars(select(WorkerKey.version)))
        operations = session.scalar(select(func.count()).select_from(KeyOperation))
    assert versions == {2}
    assert operations == 1


def test_old_version_kept_until_pruned(registry: Registry) -> None:
    services = registry.services
    worker_id = registry.dataset.workers[3].worker_id
    with services.session() as session:
        reencrypt_worker(session, services.vault, worker_id, fixed_later())
        session.commit()
        versions = set(
            session.scalars(
                select(WorkerKey.version).where(WorkerKey.worker_id == worker_id)
            )
        )
    assert versions == {1, 2}
    assert open_worker(registry, worker_id) == expected_groups(registry, worker_id)
    with services.session() as session:
        assert prune_superseded_keys(session, fixed_clock()) == 0
        assert prune_superseded_keys(session, fixed_later()) == 1
    assert open_worker(registry, worker_id) == expected_groups(registry, worker_id)


def fixed_later() -> datetime:
    return fixed_clock() + timedelta(minutes=1)
