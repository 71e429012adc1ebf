"""The day completion was reported is kept once: `cases.registered_on`

The use registration is reported with the completion, so `completion_reported_on` always held the
same day as `registered_on`; the installers' record now reads `registered_on`.

Revision ID: e0c5b2d7a914
Revises: d4e8a1c7f302
Create Date: 2026-12-07 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'e0c5b2d7a914'
down_revision = 'd4e8a1c7f302'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE cases SET registered_on = completion_reported_on "
        "WHERE registered_on IS NULL AND completion_reported_on IS NOT NULL"
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('completion_reported_on')


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completion_reported_on', sa.Date(), nullable=True))
    op.execute("UPDATE cases SET completion_reported_on = registered_on")
