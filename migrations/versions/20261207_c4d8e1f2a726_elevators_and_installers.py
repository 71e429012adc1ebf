"""the elevator register, its inspections, the 使用管理单位 and maintenance; installers' bars

Revision ID: c4d8e1f2a726
Revises: d2f6a8c4e1b5
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d8e1f2a726"
down_revision = "d2f6a8c4e1b5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("management_unit", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("running_cost_fen", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("planned_completion", sa.Date(), nullable=True))
        batch.add_column(sa.Column("completion_reported_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("maintenance_company", sa.String(200), nullable=True))
        batch.add_column(sa.Column("maintenance_credit_code", sa.String(18), nullable=True))
        batch.add_column(sa.Column("maintenance_starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("maintenance_ends_on", sa.Date(), nullable=True))
    op.create_table(
        "elevators",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("registration_number", sa.String(64), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("last_inspected_on", sa.Date(), nullable=True),
        sa.Column("next_inspection_due", sa.Date(), nullable=False),
        sa.Column("link_token", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name="fk_elevators_case_id_cases"),
        sa.PrimaryKeyConstraint("case_id", name="pk_elevators"),
        sa.UniqueConstraint("link_token", name="uq_elevators_link_token"),
    )
    op.create_index(
        "ix_elevators_next_inspection_due", "elevators", ["next_inspection_due"], unique=False
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(8), nullable=False),
        sa.Column("report_sha256", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["elevators.case_id"], name="fk_inspections_case_id_elevators"
        ),
        sa.ForeignKeyConstraint(
            ["report_sha256"],
            ["stored_files.sha256"],
            name="fk_inspections_report_sha256_stored_files",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name="fk_inspections_recorded_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_inspections"),
    )
    op.create_index("ix_inspections_case_id", "inspections", ["case_id"], unique=False)
    op.create_table(
        "installer_bars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("document_number", sa.String(64), nullable=False),
        sa.Column("barred_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("barred_by_id", sa.Integer(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["barred_by_id"], ["users.id"], name="fk_installer_bars_barred_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name="fk_installer_bars_lifted_by_id_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_installer_bars"),
    )
    op.create_index(
        "ix_installer_bars_credit_code", "installer_bars", ["credit_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_installer_bars_credit_code", table_name="installer_bars")
    op.drop_table("installer_bars")
    op.drop_index("ix_inspections_case_id", table_name="inspections")
    op.drop_table("inspections")
    op.drop_index("ix_elevators_next_inspection_due", table_name="elevators")
    op.drop_table("elevators")
    with op.batch_alter_table("cases") as batch:
        for name in (
            "maintenance_ends_on", "maintenance_starts_on", "maintenance_credit_code",
            "maintenance_company", "completion_reported_on", "planned_completion",
            "running_cost_fen", "management_unit",
        ):  # fmt: skip
            batch.drop_column(name)
