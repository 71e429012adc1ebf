"""queues filtered by community or 街道 by index; statistics from a checkpoint of the audit log
and from covering indexes

Revision ID: e7a3c5f1b920
Revises: e7b3c9d1a4f6
Create Date: 2026-12-08 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7a3c5f1b920"
down_revision = "e7b3c9d1a4f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statistics_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("up_to_event", sa.Integer(), nullable=False),
        sa.Column("before", sa.DateTime(), nullable=False),
        sa.Column("tallies", sa.JSON(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_checkpoints")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_street")
        batch_op.drop_index("ix_cases_state")
        batch_op.create_index(
            "ix_cases_state_community_subsidy_fen",
            ["state", "community", "subsidy_fen"],
            unique=False,
        )
        batch_op.create_index(
            "ix_cases_maintenance_ends_on", ["maintenance_ends_on"], unique=False
        )
        batch_op.create_index(
            "ix_cases_community_state_updated_at_id",
            ["community", "state", "updated_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_cases_street_state_updated_at_id",
            ["street", "state", "updated_at", "id"],
            unique=False,
        )
    with op.batch_alter_table("case_handlers", schema=None) as batch_op:
        batch_op.drop_index("ix_case_handlers_case_id")
        batch_op.create_index(
            "ix_case_handlers_case_id_user_id", ["case_id", "user_id"], unique=False
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_case_moves",
            ["case_id", "to_state", "seq", "at"],
            unique=False,
            postgresql_where=sa.text("to_state IS NOT NULL"),
            sqlite_where=sa.text("to_state IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_case_moves")
    with op.batch_alter_table("case_handlers", schema=None) as batch_op:
        batch_op.drop_index("ix_case_handlers_case_id_user_id")
        batch_op.create_index("ix_case_handlers_case_id", ["case_id"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_street_state_updated_at_id")
        batch_op.drop_index("ix_cases_community_state_updated_at_id")
        batch_op.drop_index("ix_cases_maintenance_ends_on")
        batch_op.drop_index("ix_cases_state_community_subsidy_fen")
        batch_op.create_index("ix_cases_street", ["street"], unique=False)
        batch_op.create_index("ix_cases_state", ["state"], unique=False)
    op.drop_table("statistics_checkpoints")
