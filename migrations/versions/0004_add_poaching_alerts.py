"""add poaching alerts

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:52:55.312150
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Alerts are evidence for the regulator, so they are append-only like the log.
# ccus_append_only() is created by revision 0003.
APPEND_ONLY_TRIGGER = (
    "CREATE TRIGGER audit_alerts_append_only BEFORE UPDATE OR DELETE ON audit_alerts "
    "FOR EACH ROW EXECUTE FUNCTION ccus_append_only()"
)


def upgrade() -> None:
    op.create_table(
        "audit_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column(
            "company_id",
            sa.String(length=14),
            nullable=False,
            comment="The acting company",
        ),
        sa.Column(
            "client_id",
            sa.String(length=80),
            nullable=False,
            comment="Client of the entry that crossed the threshold",
        ),
        sa.Column(
            "workers",
            sa.Integer(),
            nullable=False,
            comment="Distinct workers in the window",
        ),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "evidence",
            sa.JSON(),
            nullable=False,
            comment="Audit entry seq numbers, the latest 200 at most",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_alerts")),
    )
    with op.batch_alter_table("audit_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_alerts_company", ["company_id", "id"], unique=False
        )
        batch_op.create_index("ix_audit_alerts_created", ["created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_alerts_append_only ON audit_alerts")
    with op.batch_alter_table("audit_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_alerts_created")
        batch_op.drop_index("ix_audit_alerts_company")

    op.drop_table("audit_alerts")
