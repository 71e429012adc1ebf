"""the residents supervise the work and accept it: representatives, problems, opinions

Revision ID: c4d1a7e9f352
Revises: c4d8e1f2a726
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d1a7e9f352"
down_revision = "c4d8e1f2a726"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "acceptance_opinions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("acceptance_round", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("opinion", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_acceptance_opinions_answered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_acceptance_opinions_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_acceptance_opinions_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acceptance_opinions")),
        sa.UniqueConstraint(
            "case_id",
            "acceptance_round",
            "household_id",
            name=op.f("uq_acceptance_opinions_case_id_acceptance_round_household_id"),
        ),
    )
    with op.batch_alter_table("acceptance_opinions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_acceptance_opinions_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "resident_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("reported_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_household_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_resident_problems_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_household_id"],
            ["households.id"],
            name=op.f("fk_resident_problems_closed_by_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_resident_problems_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_problems")),
    )
    with op.batch_alter_table("resident_problems", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resident_problems_case_id"), ["case_id"], unique=False)

    op.create_table(
        "supervisors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("accepted_channel", sa.String(length=8), nullable=True),
        sa.Column("accepted_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("stepped_down_at", sa.DateTime(), nullable=True),
        sa.Column("stepped_down_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_supervisors_accepted_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_supervisors_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_supervisors_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["users.id"], name=op.f("fk_supervisors_proposed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisors")),
    )
    with op.batch_alter_table("supervisors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_supervisors_case_id"), ["case_id"], unique=False)

    op.create_table(
        "problem_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_problem_replies_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["resident_problems.id"],
            name=op.f("fk_problem_replies_problem_id_resident_problems"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_problem_replies_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_replies")),
    )
    with op.batch_alter_table("problem_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_problem_replies_problem_id"), ["problem_id"], unique=False
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("acceptance_round", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("acceptance_round")

    with op.batch_alter_table("problem_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_replies_problem_id"))

    op.drop_table("problem_replies")
    with op.batch_alter_table("supervisors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisors_case_id"))

    op.drop_table("supervisors")
    with op.batch_alter_table("resident_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resident_problems_case_id"))

    op.drop_table("resident_problems")
    with op.batch_alter_table("acceptance_opinions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acceptance_opinions_case_id"))

    op.drop_table("acceptance_opinions")
