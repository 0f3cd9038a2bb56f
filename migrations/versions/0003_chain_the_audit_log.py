"""chain the audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 16:33:02.239264
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY_FUNCTION = """
CREATE FUNCTION ccus_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TABLES = ("audit_events", "audit_checkpoints")


def upgrade() -> None:
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.Column("checkpointed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=80), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "seq",
                sa.BigInteger(),
                nullable=True,
                comment="Position in the hash chain, from 1",
            )
        )
        batch_op.add_column(sa.Column("prev_hash", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "entry_hash",
                sa.LargeBinary(),
                nullable=True,
                comment="SHA-256 of prev_hash and the entry's canonical bytes",
            )
        )
    seq, previous = _chain_existing_entries()
    op.get_bind().execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, seq, entry_hash) VALUES (1, :seq, :hash)"
        ),
        {"seq": seq, "hash": previous},
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column(
            "prev_hash", existing_type=sa.LargeBinary(), nullable=False
        )
        batch_op.alter_column(
            "entry_hash", existing_type=sa.LargeBinary(), nullable=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ccus_append_only()"
            )


def _chain_existing_entries() -> tuple[int, bytes]:
    """Link the entries written before the chain existed, in id order."""
    # Imported here: the hash is the chain's own format, defined once.
    from ccus.audit.chain import GENESIS_HASH, link_hash

    bind = op.get_bind()
    events = sa.table(
        "audit_events",
        *(
            sa.column(name)
            for name in (
                "id",
                "seq",
                "prev_hash",
                "entry_hash",
                "occurred_at",
                "request_id",
                "actor_kind",
                "actor_id",
                "actor_company_id",
                "client_id",
                "action",
                "resource",
                "worker_id",
                "site_id",
                "field_groups",
                "basis",
                "decision",
                "purpose",
            )
        ),
    )
    rows = (
        bind.execute(sa.text("SELECT * FROM audit_events ORDER BY id")).mappings().all()
    )
    seq, previous = 0, GENESIS_HASH
    for row in rows:
        seq += 1
        entry = dict(row)
        entry["seq"] = seq
        for name in ("field_groups", "basis"):
            if isinstance(entry[name], str):
                entry[name] = json.loads(entry[name])
        moment = entry["occurred_at"]
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        entry["occurred_at"] = moment.astimezone(UTC)
        current = link_hash(previous, entry)
        bind.execute(
            events.update()
            .where(events.c.id == row["id"])
            .values(seq=seq, prev_hash=previous, entry_hash=current)
        )
        previous = current
    return seq, previous


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION ccus_append_only()")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_head")
