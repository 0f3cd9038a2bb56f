"""add oauth grants and token records

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:34:48.760486
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_grants",
        sa.Column("grant_id", sa.String(length=43), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.String(length=14), nullable=False),
        sa.Column(
            "login_subject",
            sa.String(length=64),
            nullable=False,
            comment="Pseudonymous id of the login that approved",
        ),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "actor_kind IN ('worker', 'staff')", name=op.f("ck_oauth_grants_actor_kind")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_clients.client_id"],
            name=op.f("fk_oauth_grants_client_id_oauth_clients"),
        ),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_oauth_grants")),
    )
    with op.batch_alter_table("oauth_grants", schema=None) as batch_op:
        batch_op.create_index(
            "ix_oauth_grants_actor", ["actor_kind", "actor_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_oauth_grants_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "oauth_access_tokens",
        sa.Column("jti", sa.String(length=43), nullable=False),
        sa.Column("grant_id", sa.String(length=43), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["oauth_grants.grant_id"],
            name=op.f("fk_oauth_access_tokens_grant_id_oauth_grants"),
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_oauth_access_tokens")),
    )
    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_access_tokens_grant_id"), ["grant_id"], unique=False
        )

    op.create_table(
        "oauth_refresh_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("grant_id", sa.String(length=43), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["oauth_grants.grant_id"],
            name=op.f("fk_oauth_refresh_tokens_grant_id_oauth_grants"),
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_oauth_refresh_tokens")),
    )
    with op.batch_alter_table("oauth_refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_refresh_tokens_grant_id"), ["grant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("oauth_refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_refresh_tokens_grant_id"))

    op.drop_table("oauth_refresh_tokens")
    with op.batch_alter_table("oauth_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_access_tokens_grant_id"))

    op.drop_table("oauth_access_tokens")
    with op.batch_alter_table("oauth_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_grants_client_id"))
        batch_op.drop_index("ix_oauth_grants_actor")

    op.drop_table("oauth_grants")
