"""order roster entries by site for paging

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_roster_entries_site_order",
            ["site_id", "id", "company_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_entries_site_order")
