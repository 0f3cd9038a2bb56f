"""record who registered a roster entry

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:07:33.008606
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("registered_by_company_id", sa.String(length=14), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_roster_entries_registered_by_company_id_companies"),
            "companies",
            ["registered_by_company_id"],
            ["company_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_roster_entries_registered_by_company_id_companies"),
            type_="foreignkey",
        )
        batch_op.drop_column("registered_by_company_id")
