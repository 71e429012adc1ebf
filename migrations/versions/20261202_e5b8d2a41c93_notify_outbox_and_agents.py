"""the outbox of messages (SMS and inboxes); agents and signing for an owner

Revision ID: e5b8d2a41c93
Revises: c4a7e13b9f20
Create Date: 2026-12-02 10:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'e5b8d2a41c93'
down_revision = 'c4a7e13b9f20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('desk', sa.String(length=16), nullable=True),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('dedupe_key', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_messages_case_id_cases')),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_outbox_messages_household_id_households')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_outbox_messages_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key')),
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_desk'), ['desk'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_outbox_messages_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_kind', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('agent_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('agent_document', sa.String(length=64), nullable=True))
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proxy_relationship', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('proxy_document', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('votes', schema=None) as batch_op:
        batch_op.drop_column('proxy_document')
        batch_op.drop_column('proxy_relationship')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('agent_document')
        batch_op.drop_column('agent_name')
        batch_op.drop_column('agent_kind')
    op.drop_table('outbox_messages')
