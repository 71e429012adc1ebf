"""the owners' agreement's own shares of the elevator's yearly running cost

Running costs are shared as the agreement says: by the same ratios as the building cost unless
it sets others. `cases.running_cost_shares` holds those others, room → whole parts (份); NULL
keeps the same ratios, so existing cases read as before.

Revision ID: f1a9c3e5b702
Revises: e7a3c5f1b920
Create Date: 2026-12-09 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f1a9c3e5b702"
down_revision = "e7a3c5f1b920"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("running_cost_shares", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("running_cost_shares")
