"""batch printing runs as a job: its requests, their progress and their file

Revision ID: f3a9c6e2b1d7
Revises: e5b8d2a41c93
Create Date: 2026-12-03 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'f3a9c6e2b1d7'
down_revision = 'e5b8d2a41c93'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'batch_prints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('letter_ids', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('done', sa.Integer(), server_default='0', nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_batch_prints_requested_by_id_users')),
        sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_batch_prints_sha256_stored_files')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_prints')),
    )
    with op.batch_alter_table('batch_prints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_prints_requested_by_id'), ['requested_by_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_prints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_prints_requested_by_id'))
    op.drop_table('batch_prints')
