"""add consents, company agreements and site orderers

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:30:54.847779
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_agreements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("upper_company_id", sa.String(length=14), nullable=False),
        sa.Column("lower_company_id", sa.String(length=14), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "ended_on IS NULL OR ended_on >= signed_on",
            name=op.f("ck_company_agreements_period"),
        ),
        sa.CheckConstraint(
            "upper_company_id <> lower_company_id",
            name=op.f("ck_company_agreements_two_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["lower_company_id"],
            ["companies.company_id"],
            name=op.f("fk_company_agreements_lower_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["upper_company_id"],
            ["companies.company_id"],
            name=op.f("fk_company_agreements_upper_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_agreements")),
    )
    with op.batch_alter_table("company_agreements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_company_agreements_pair",
            ["upper_company_id", "lower_company_id"],
            unique=False,
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("employer_company_id", sa.String(length=14), nullable=True),
        sa.Column("recipient_company_id", sa.String(length=14), nullable=True),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_kind", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("worker_decision", sa.String(length=8), nullable=True),
        sa.Column("worker_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("employer_decision", sa.String(length=8), nullable=True),
        sa.Column("employer_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("employer_decided_by", sa.String(length=80), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=8), nullable=True),
        sa.CheckConstraint(
            "employer_decision IS NULL OR employer_decision IN ('approved', 'rejected')",
            name=op.f("ck_consents_employer_decision"),
        ),
        sa.CheckConstraint(
            "revoked_by IS NULL OR revoked_by IN ('worker', 'employer')",
            name=op.f("ck_consents_revoked_by"),
        ),
        sa.CheckConstraint(
            "worker_decision IS NULL OR worker_decision IN ('approved', 'rejected')",
            name=op.f("ck_consents_worker_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["employer_company_id"],
            ["companies.company_id"],
            name=op.f("fk_consents_employer_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_company_id"],
            ["companies.company_id"],
            name=op.f("fk_consents_recipient_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_consents_worker_id_workers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consents_employer", ["employer_company_id"], unique=False
        )
        batch_op.create_index(
            "ix_consents_recipient", ["recipient_company_id", "worker_id"], unique=False
        )
        batch_op.create_index("ix_consents_worker", ["worker_id"], unique=False)

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "orderer_company_id",
                sa.String(length=14),
                nullable=True,
                comment="The orderer (発注者) when it is a registered company",
            )
        )
        batch_op.create_index(
            batch_op.f("ix_sites_orderer_company_id"),
            ["orderer_company_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_sites_orderer_company_id_companies"),
            "companies",
            ["orderer_company_id"],
            ["company_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_sites_orderer_company_id_companies"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_sites_orderer_company_id"))
        batch_op.drop_column("orderer_company_id")

    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index("ix_consents_worker")
        batch_op.drop_index("ix_consents_recipient")
        batch_op.drop_index("ix_consents_employer")

    op.drop_table("consents")
    with op.batch_alter_table("company_agreements", schema=None) as batch_op:
        batch_op.drop_index("ix_company_agreements_pair")

    op.drop_table("company_agreements")
