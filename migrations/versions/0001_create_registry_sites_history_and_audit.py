"""create registry, sites, history and audit

Revision ID: 0001
Revises:
Create Date: 2026-12-04 15:29:26.292779
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demo_personas",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_demo_personas")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.String(length=80), nullable=False),
        sa.Column("actor_company_id", sa.String(length=14), nullable=True),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("resource", sa.String(length=80), nullable=False),
        sa.Column("worker_id", sa.String(length=14), nullable=True),
        sa.Column("site_id", sa.String(length=14), nullable=True),
        sa.Column("field_groups", sa.JSON(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=False),
        sa.Column("decision", sa.String(length=5), nullable=False),
        sa.Column("purpose", sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "decision IN ('allow', 'deny')", name=op.f("ck_audit_events_decision")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_company_time",
            ["actor_company_id", "occurred_at"],
            unique=False,
        )
        batch_op.create_index("ix_audit_events_time", ["occurred_at"], unique=False)
        batch_op.create_index(
            "ix_audit_events_worker_time", ["worker_id", "occurred_at"], unique=False
        )

    op.create_table(
        "companies",
        sa.Column("company_id", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_kana", sa.String(length=200), nullable=False),
        sa.Column("permit_issuer", sa.String(length=40), nullable=True),
        sa.Column("permit_kind", sa.String(length=10), nullable=True),
        sa.Column("permit_number", sa.String(length=20), nullable=True),
        sa.Column("permit_trades", sa.JSON(), nullable=False),
        sa.Column("permit_date", sa.Date(), nullable=True),
        sa.Column(
            "kentaikyo_contractor_number",
            sa.String(length=20),
            nullable=True,
            comment="建退共 共済契約者番号",
        ),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("is_sole_proprietor", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(company_id) = 14", name=op.f("ck_companies_id14")),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_companies")),
    )
    op.create_table(
        "workers",
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column(
            "identity_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: name, katakana name, birth date, gender, nationality, photo",
        ),
        sa.Column(
            "contact_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: postal code, address, phone, email",
        ),
        sa.Column(
            "emergency_contact_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: family contact name, relation, address, phone",
        ),
        sa.Column(
            "insurance_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: health, pension, employment insurance, 建退共 and 中退共 membership",
        ),
        sa.Column(
            "health_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: health checks, blood pressure, blood type",
        ),
        sa.Column(
            "qualifications_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: licences, trainings, skills",
        ),
        sa.Column(
            "career_ct",
            sa.LargeBinary(),
            nullable=False,
            comment="PERSONAL, encrypted: trades, levels, days, awards",
        ),
        sa.Column(
            "contact_replaced",
            sa.Boolean(),
            nullable=False,
            comment="The employer shows its own address and phone to other companies",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(worker_id) = 14", name=op.f("ck_workers_id14")),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_workers")),
    )
    op.create_table(
        "employments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("company_id", sa.String(length=14), nullable=False),
        sa.Column(
            "start_date", sa.Date(), nullable=False, comment="PERSONAL: hire date"
        ),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_employments_period"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.company_id"],
            name=op.f("fk_employments_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_employments_worker_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employments")),
    )
    with op.batch_alter_table("employments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employments_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_employments_worker_id"), ["worker_id"], unique=False
        )

    op.create_table(
        "sites",
        sa.Column("site_id", sa.String(length=14), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("prime_company_id", sa.String(length=14), nullable=False),
        sa.Column("orderer_name", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("handover_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "status IN ('upcoming', 'live', 'ended')", name=op.f("ck_sites_status")
        ),
        sa.CheckConstraint("length(site_id) = 14", name=op.f("ck_sites_id14")),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_sites_period")),
        sa.ForeignKeyConstraint(
            ["prime_company_id"],
            ["companies.company_id"],
            name=op.f("fk_sites_prime_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_sites")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sites_prime_company_id"), ["prime_company_id"], unique=False
        )

    op.create_table(
        "staff",
        sa.Column("staff_id", sa.String(length=14), nullable=False),
        sa.Column("company_id", sa.String(length=14), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.CheckConstraint("length(staff_id) = 14", name=op.f("ck_staff_id14")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.company_id"],
            name=op.f("fk_staff_company_id_companies"),
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_company_id"), ["company_id"], unique=False
        )

    op.create_table(
        "worker_keys",
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kek_id", sa.String(length=80), nullable=False),
        sa.Column(
            "wrapped_key",
            sa.LargeBinary(),
            nullable=False,
            comment="KEY MATERIAL, wrapped: the worker's data key",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_worker_keys_worker_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("worker_id", "version", name=op.f("pk_worker_keys")),
    )
    with op.batch_alter_table("worker_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_worker_keys_kek_id"), ["kek_id"], unique=False
        )

    op.create_table(
        "card_touches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=14), nullable=False),
        sa.Column(
            "device_touch_id",
            sa.String(length=64),
            nullable=False,
            comment="The device's own id of the touch; replays share it",
        ),
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column(
            "work_date", sa.Date(), nullable=False, comment="JST day the shift began"
        ),
        sa.Column("device_client_id", sa.String(length=80), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "direction IN ('in', 'out')", name=op.f("ck_card_touches_direction")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.site_id"], name=op.f("fk_card_touches_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_card_touches_worker_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_touches")),
        sa.UniqueConstraint(
            "site_id",
            "device_touch_id",
            name=op.f("uq_card_touches_site_id_device_touch_id"),
        ),
    )
    with op.batch_alter_table("card_touches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_card_touches_worker_site_time",
            ["worker_id", "site_id", "touched_at"],
            unique=False,
        )

    op.create_table(
        "roster_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=14), nullable=False),
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("company_id", sa.String(length=14), nullable=False),
        sa.Column("trade", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("induction_date", sa.Date(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "position IS NULL OR position IN ('foreman', 'team_leader', 'safety_officer')",
            name=op.f("ck_roster_entries_position"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.company_id"],
            name=op.f("fk_roster_entries_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.site_id"], name=op.f("fk_roster_entries_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_roster_entries_worker_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_entries")),
        sa.UniqueConstraint(
            "site_id", "worker_id", name=op.f("uq_roster_entries_site_id_worker_id")
        ),
    )
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_roster_entries_site_company", ["site_id", "company_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_roster_entries_worker_id"), ["worker_id"], unique=False
        )

    op.create_table(
        "subcontract_paths",
        sa.Column("site_id", sa.String(length=14), nullable=False),
        sa.Column("ancestor_company_id", sa.String(length=14), nullable=False),
        sa.Column("descendant_company_id", sa.String(length=14), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.site_id"],
            name=op.f("fk_subcontract_paths_site_id_sites"),
        ),
        sa.PrimaryKeyConstraint(
            "site_id",
            "ancestor_company_id",
            "descendant_company_id",
            name=op.f("pk_subcontract_paths"),
        ),
    )
    with op.batch_alter_table("subcontract_paths", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subcontract_paths_descendant",
            ["site_id", "descendant_company_id"],
            unique=False,
        )

    op.create_table(
        "subcontracts",
        sa.Column("site_id", sa.String(length=14), nullable=False),
        sa.Column("company_id", sa.String(length=14), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("parent_company_id", sa.String(length=14), nullable=True),
        sa.CheckConstraint(
            "(tier = 0) = (parent_company_id IS NULL)",
            name=op.f("ck_subcontracts_root_has_no_parent"),
        ),
        sa.CheckConstraint("tier >= 0", name=op.f("ck_subcontracts_tier")),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.company_id"],
            name=op.f("fk_subcontracts_company_id_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.site_id"], name=op.f("fk_subcontracts_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("site_id", "company_id", name=op.f("pk_subcontracts")),
    )
    op.create_table(
        "work_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.String(length=14), nullable=False),
        sa.Column("site_id", sa.String(length=14), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("employer_company_id", sa.String(length=14), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("trade", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=True),
        sa.Column("entry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exit_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.site_id"], name=op.f("fk_work_history_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"],
            ["workers.worker_id"],
            name=op.f("fk_work_history_worker_id_workers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_history")),
        sa.UniqueConstraint(
            "worker_id",
            "site_id",
            "work_date",
            name=op.f("uq_work_history_worker_id_site_id_work_date"),
        ),
    )
    with op.batch_alter_table("work_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_work_history_site_date", ["site_id", "work_date"], unique=False
        )


def downgrade() -> None:
    op.drop_table("demo_personas")
    with op.batch_alter_table("work_history", schema=None) as batch_op:
        batch_op.drop_index("ix_work_history_site_date")

    op.drop_table("work_history")
    op.drop_table("subcontracts")
    with op.batch_alter_table("subcontract_paths", schema=None) as batch_op:
        batch_op.drop_index("ix_subcontract_paths_descendant")

    op.drop_table("subcontract_paths")
    with op.batch_alter_table("roster_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_entries_worker_id"))
        batch_op.drop_index("ix_roster_entries_site_company")

    op.drop_table("roster_entries")
    with op.batch_alter_table("card_touches", schema=None) as batch_op:
        batch_op.drop_index("ix_card_touches_worker_site_time")

    op.drop_table("card_touches")
    with op.batch_alter_table("worker_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_keys_kek_id"))

    op.drop_table("worker_keys")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_company_id"))

    op.drop_table("staff")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_prime_company_id"))

    op.drop_table("sites")
    with op.batch_alter_table("employments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employments_worker_id"))
        batch_op.drop_index(batch_op.f("ix_employments_company_id"))

    op.drop_table("employments")
    op.drop_table("workers")
    op.drop_table("companies")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_worker_time")
        batch_op.drop_index("ix_audit_events_time")
        batch_op.drop_index("ix_audit_events_company_time")

    op.drop_table("audit_events")
