"""add blind indexes, key operations and erasure

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 16:08:42.301156
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "key_operations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_operations")),
    )
    op.create_table(
        "worker_indexes",
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column(
            "token",
            sa.String(length=40),
            nullable=False,
            comment="Blind index: truncated HMAC, never the value",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_worker_indexes_worker_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("worker_id", "purpose", name=op.f("pk_worker_indexes")),
    )
    with op.batch_alter_table("worker_indexes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_worker_indexes_purpose_token", ["purpose", "token"], unique=False
        )

    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "erased_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="Set when the data key was destroyed; the sealed columns are unreadable from then on",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("workers", schema=None) as batch_op:
        batch_op.drop_column("erased_at")

    with op.batch_alter_table("worker_indexes", schema=None) as batch_op:
        batch_op.drop_index("ix_worker_indexes_purpose_token")

    op.drop_table("worker_indexes")
    op.drop_table("key_operations")
