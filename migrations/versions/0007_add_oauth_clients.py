"""add oauth clients

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:04:23.530135
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_clients",
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("token_endpoint_auth_method", sa.String(length=40), nullable=False),
        sa.Column(
            "secret_hash",
            sa.String(length=200),
            nullable=True,
            comment="Salted HMAC-SHA256 of the client secret",
        ),
        sa.Column(
            "jwks",
            sa.JSON(),
            nullable=True,
            comment="Public keys that verify private_key_jwt assertions",
        ),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON(),
            nullable=False,
            comment="The scopes the client may request",
        ),
        sa.Column("acts_as", sa.String(length=12), nullable=True),
        sa.Column("site_id", sa.String(length=14), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(COALESCE(acts_as, '') = 'device') = (site_id IS NOT NULL)",
            name=op.f("ck_oauth_clients_device_has_site"),
        ),
        sa.CheckConstraint(
            "(kind = 'public') = (token_endpoint_auth_method = 'none')",
            name=op.f("ck_oauth_clients_public_uses_none"),
        ),
        sa.CheckConstraint(
            "acts_as IS NULL OR acts_as IN ('device', 'regulator')",
            name=op.f("ck_oauth_clients_acts_as"),
        ),
        sa.CheckConstraint(
            "kind IN ('confidential', 'public')",
            name=op.f("ck_oauth_clients_kind"),
        ),
        sa.CheckConstraint(
            "token_endpoint_auth_method <> 'client_secret_basic' OR secret_hash IS NOT NULL",
            name=op.f("ck_oauth_clients_secret_present"),
        ),
        sa.CheckConstraint(
            "token_endpoint_auth_method <> 'private_key_jwt' OR jwks IS NOT NULL",
            name=op.f("ck_oauth_clients_jwks_present"),
        ),
        sa.CheckConstraint(
            "token_endpoint_auth_method IN ('private_key_jwt', 'client_secret_basic', 'none')",
            name=op.f("ck_oauth_clients_auth_method"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.site_id"],
            name=op.f("fk_oauth_clients_site_id_sites"),
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_oauth_clients")),
    )
    with op.batch_alter_table("oauth_clients", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oauth_clients_site_id"), ["site_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("oauth_clients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oauth_clients_site_id"))

    op.drop_table("oauth_clients")
