"""record the workers of poaching alerts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 17:18:56.636415
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_alert_workers",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["audit_alerts.id"],
            name=op.f("fk_audit_alert_workers_alert_id_audit_alerts"),
        ),
        sa.PrimaryKeyConstraint(
            "alert_id", "worker_id", name=op.f("pk_audit_alert_workers")
        ),
    )
    with op.batch_alter_table("audit_alert_workers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_alert_workers_worker", ["worker_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_alert_workers", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_alert_workers_worker")

    op.drop_table("audit_alert_workers")
