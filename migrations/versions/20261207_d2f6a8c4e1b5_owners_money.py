"""the owners' money: compensation per household, the 公积金 window, the subsidy paid, and
documents of one household (出资证明)

Revision ID: d2f6a8c4e1b5
Revises: d29a7c3e5f10
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d2f6a8c4e1b5"
down_revision = "d29a7c3e5f10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(
            sa.Column("compensation_fen", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("registered_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("subsidy_paid_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("payment_voucher", sa.String(length=64), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("household_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("number", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            "fk_documents_household_id_households", "households", ["household_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_constraint("fk_documents_household_id_households", type_="foreignkey")
        batch.drop_column("number")
        batch.drop_column("household_id")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("payment_voucher")
        batch.drop_column("subsidy_paid_on")
        batch.drop_column("registered_on")
    with op.batch_alter_table("households") as batch:
        batch.drop_column("compensation_fen")
