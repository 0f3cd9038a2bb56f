"""The key and erasure commands: clear refusals and audit records."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from ccus.audit.models import AuditEvent
from ccus.cli import main
from ccus.registry.models import WorkerKey
from tests.keys.conftest import Registry


def run(registry: Registry, *args: str):  # type: ignore[no-untyped-def]
    env = {
        "CCUS_KEYS_DIR": str(registry.keys_dir),
        "CCUS_DATABASE_URL": registry.backend.url,
    }
    return CliRunner().invoke(main, list(args), env=env)


def test_erase_command_is_audited(registry: Registry) -> None:
    target = registry.dataset.workers[9].worker_id
    result = run(registry, "workers", "erase", target)
    assert result.exit_code == 0, result.output
    with registry.services.session() as session:
        event = session.scalar(
            select(AuditEvent).where(
                AuditEvent.worker_id == target, AuditEvent.action == "erase_worker"
            )
        )
    assert event is not None
    assert event.actor_kind == "operator"
    assert event.client_id == "ccus-cli"


def test_retire_active_kek_refused(registry: Registry) -> None:
    active = registry.services.vault.provider.active_kek_id()
    result = run(registry, "keys", "retire", active)
    assert result.exit_code == 1
    assert "is active; rotate" in result.output


def test_reencrypt_unknown_worker_refused(registry: Registry) -> None:
    for worker_id in ("99999999999999", "notanid"):
        result = run(
            registry, "keys", "reencrypt", "--worker", worker_id, "--grace", "0"
        )
        assert result.exit_code == 2
        assert "is not the id of a registered, unerased worker" in result.output


def test_status_names_missing_kek(registry: Registry) -> None:
    run(registry, "keys", "rotate-kek")
    run(registry, "keys", "rewrap")
    old_status = run(registry, "keys", "status").output
    assert "MISSING" not in old_status
    with registry.services.session() as session:
        session.execute(
            WorkerKey.__table__.update()
            .where(WorkerKey.worker_id == registry.dataset.workers[0].worker_id)
            .values(kek_id="key-encryption-lost")
        )
        session.commit()
    status = run(registry, "keys", "status").output
    assert "MISSING key-encryption-lost wraps 1 data keys" in status
