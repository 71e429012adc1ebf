"""personal information: the notice's versions, what each person was shown, their requests

Revision ID: d29a7c3e5f10
Revises: c4d1a7e93b25
Create Date: 2026-12-07 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "d29a7c3e5f10"
down_revision = "c4d1a7e93b25"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"], name=op.f("fk_privacy_notices_published_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
        sa.UniqueConstraint("version", name=op.f("uq_privacy_notices_version")),
    )
    op.create_table(
        "notice_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_notice_seen_case_id_cases")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_notice_seen_household_id_households")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notice_seen_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_seen")),
    )
    with op.batch_alter_table("notice_seen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_seen_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_notice_seen_user_id"), ["user_id"], unique=False)
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("legal_reason", sa.String(length=32), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"], name=op.f("fk_privacy_requests_answered_by_id_users")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_privacy_requests_household_id_households")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_privacy_requests_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    with op.batch_alter_table("privacy_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_privacy_requests_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_requests_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_privacy_requests_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("privacy_requests")
    op.drop_table("notice_seen")
    op.drop_table("privacy_notices")
