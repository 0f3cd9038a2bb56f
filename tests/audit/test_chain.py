"""The audit chain: every tampering is found and the first bad entry named."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Connection, text

from ccus.audit import chain as chain_module
from ccus.audit.log import AccessContext, AuditDraft, write_events
from ccus.audit.verify import Verification, verify_chain
from ccus.auth.actors import StaffActor
from tests.conftest import FIXED_NOW
from tests.keys.conftest import Registry

ENTRIES = 50


def verify(registry: Registry) -> Verification:
    keys = registry.services.keyring.audit_public_keys()
    with registry.services.session() as session:
        return verify_chain(session, keys)


@pytest.fixture
def chained(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """The registry with ENTRIES audit entries and a checkpoint every 10."""
    monkeypatch.setattr(chain_module, "CHECKPOINT_EVERY", 10)
    actor = StaffActor(
        subject="00000000000999", client_id="app", company_id="00000000000001"
    )
    services = registry.services
    for number in range(ENTRIES):
        context = AccessContext(
            actor=actor,
            request_id=f"req-{number}",
            now=FIXED_NOW + timedelta(seconds=number),
            chain=services.audit_chain,
        )
        draft = AuditDraft("read_worker", "worker", "deny", worker_id="99999999999999")
        with services.session() as session:
            write_events(session, context, [draft])
            session.commit()
    return registry


@pytest.fixture
def raw(chained: Registry) -> Iterator[Connection]:
    """A connection that writes past the service, as an intruder would."""
    engine = chained.services.sessions.kw["bind"]
    with engine.connect() as connection:
        switch_triggers(connection, chained, "DISABLE")
        yield connection
        connection.rollback()
        switch_triggers(connection, chained, "ENABLE")


def switch_triggers(connection: Connection, registry: Registry, verb: str) -> None:
    if registry.backend.kind == "postgres":
        for table in ("audit_events", "audit_checkpoints"):
            connection.execute(text(f"ALTER TABLE {table} {verb} TRIGGER USER"))
        connection.commit()


def test_untouched_chain_verifies(chained: Registry) -> None:
    result = verify(chained)
    assert result.problem is None
    assert result.entries == ENTRIES
    assert result.checkpoints >= ENTRIES // 10


def test_changed_entry_named(chained: Registry, raw: Connection) -> None:
    raw.execute(text("UPDATE audit_events SET decision = 'allow' WHERE seq = 20"))
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == 20
    assert "seq 20" in str(result.problem)
    assert "changed" in str(result.problem)


def test_deleted_entry_named(chained: Registry, raw: Connection) -> None:
    raw.execute(text("DELETE FROM audit_events WHERE seq = 33"))
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == 33
    assert "missing" in str(result.problem)


def test_reordered_entries_named(chained: Registry, raw: Connection) -> None:
    raw.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 12"))
    raw.execute(text("UPDATE audit_events SET seq = 12 WHERE seq = 13"))
    raw.execute(text("UPDATE audit_events SET seq = 13 WHERE seq = -1"))
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == 12


def test_inserted_entry_named(chained: Registry, raw: Connection) -> None:
    raw.execute(
        text(
            "INSERT INTO audit_events (seq, prev_hash, entry_hash, occurred_at, "
            "request_id, actor_kind, actor_id, client_id, action, resource, "
            "field_groups, basis, decision) SELECT seq + 1, entry_hash, entry_hash, "
            "occurred_at, 'forged', actor_kind, actor_id, client_id, action, "
            "resource, field_groups, basis, decision FROM audit_events "
            "WHERE seq = :last"
        ),
        {"last": ENTRIES},
    )
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == ENTRIES + 1


def test_truncated_tail_named(chained: Registry, raw: Connection) -> None:
    raw.execute(text("DELETE FROM audit_events WHERE seq > 45"))
    raw.execute(
        text(
            "UPDATE audit_chain_head SET seq = 45, entry_hash = "
            "(SELECT entry_hash FROM audit_events WHERE seq = 45)"
        )
    )
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == 46
    assert "removed" in str(result.problem)


def test_rewritten_chain_caught_by_checkpoint(
    chained: Registry, raw: Connection
) -> None:
    raw.execute(text("DELETE FROM audit_events WHERE seq > 25"))
    raw.execute(
        text(
            "UPDATE audit_chain_head SET seq = 25, entry_hash = "
            "(SELECT entry_hash FROM audit_events WHERE seq = 25)"
        )
    )
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == 26
    assert "beyond the last entry" in str(result.problem)


def test_forged_checkpoint_signature_caught(chained: Registry, raw: Connection) -> None:
    signature = bytearray(
        raw.execute(
            text("SELECT signature FROM audit_checkpoints WHERE seq = 20")
        ).scalar_one()
    )
    signature[0] ^= 0x01
    raw.execute(
        text("UPDATE audit_checkpoints SET signature = :forged WHERE seq = 20"),
        {"forged": bytes(signature)},
    )
    raw.commit()
    result = verify(chained)
    assert result.first_bad_seq == 20
    assert "invalid signature" in str(result.problem)


def test_postgres_refuses_update_and_delete(chained: Registry) -> None:
    if chained.backend.kind != "postgres":
        pytest.skip("the append-only trigger exists on PostgreSQL")
    engine = chained.services.sessions.kw["bind"]
    for statement in (
        "UPDATE audit_events SET decision = 'allow' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
        "DELETE FROM audit_checkpoints",
    ):
        with (
            engine.connect() as connection,
            pytest.raises(Exception, match="append-only"),
        ):
            connection.execute(text(statement))
    assert verify(chained).problem is None
