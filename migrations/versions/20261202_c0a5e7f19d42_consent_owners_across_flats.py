"""owners recognised across flats for the consent quorum

Revision ID: c0a5e7f19d42
Revises: 6bd877be5c09
Create Date: 2026-12-02 09:30:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'c0a5e7f19d42'
down_revision = '6bd877be5c09'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('owner_group', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('developer_held', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('vote_stands', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('vote_stands')
        batch_op.drop_column('developer_held')
        batch_op.drop_column('owner_group')
        batch_op.drop_column('id_number')
