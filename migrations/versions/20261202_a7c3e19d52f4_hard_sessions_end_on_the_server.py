"""sessions end on the server; wrong passwords slow, never lock

Revision ID: a7c3e19d52f4
Revises: c10c4d3e5a71
Create Date: 2026-12-02 09:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'a7c3e19d52f4'
down_revision = 'c10c4d3e5a71'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False))
        batch_op.drop_column('login_paused_until')


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login_paused_until', sa.DateTime(), nullable=True))
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_version')
