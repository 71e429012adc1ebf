"""named handlers of cases per desk, saved queue filters, absences with stand-ins

Revision ID: c4d1a7e93b25
Revises: b7e2d4c8a913
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d1a7e93b25"
down_revision = "b7e2d4c8a913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_handlers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("desk", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "desk"),
    )
    op.create_index("ix_case_handlers_case_id", "case_handlers", ["case_id"])
    op.create_index("ix_case_handlers_user_id", "case_handlers", ["user_id"])
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("endpoint", sa.String(length=32), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name"),
    )
    op.create_index("ix_saved_views_user_id", "saved_views", ["user_id"])
    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("stand_in_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index("ix_absences_stand_in_id", "absences", ["stand_in_id"])


def downgrade() -> None:
    op.drop_index("ix_absences_stand_in_id", table_name="absences")
    op.drop_table("absences")
    op.drop_index("ix_saved_views_user_id", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_index("ix_case_handlers_user_id", table_name="case_handlers")
    op.drop_index("ix_case_handlers_case_id", table_name="case_handlers")
    op.drop_table("case_handlers")
