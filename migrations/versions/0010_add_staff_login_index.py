"""add the staff login index

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 22:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "login_index",
                sa.String(length=80),
                nullable=True,
                comment="Keyed HMAC of the normalised name and birth date that a "
                "national-ID login matches, never the values; set by 'ccus staff link'",
            )
        )
        batch_op.create_index(
            batch_op.f("ix_staff_login_index"), ["login_index"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_login_index"))
        batch_op.drop_column("login_index")
