"""legal clocks, the installer's steps and the public register

Clock pauses (补正 suspends a deadline), the daily deadline flags, the one review extension,
the installer and the use registration number, and the 街道 of each case.

Revision ID: c10c4d3e5a71
Revises: c17a9e3d5b20
Create Date: 2026-12-02 09:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'c10c4d3e5a71'
down_revision = 'c17a9e3d5b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'clock_pauses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('clock', sa.String(length=16), nullable=False),
        sa.Column('paused_at', sa.DateTime(), nullable=False),
        sa.Column('due_when_paused', sa.Date(), nullable=False),
        sa.Column('workdays_left', sa.Integer(), nullable=False),
        sa.Column('resumed_at', sa.DateTime(), nullable=True),
        sa.Column('due_when_resumed', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_clock_pauses_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_pauses')),
    )
    with op.batch_alter_table('clock_pauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_pauses_case_id'), ['case_id'], unique=False)

    op.create_table(
        'deadline_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('workdays_left', sa.Integer(), nullable=False),
        sa.Column('who', sa.JSON(), nullable=False),
        sa.Column('notified_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_deadline_flags_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_flags')),
        sa.UniqueConstraint('case_id', 'day', name=op.f('uq_deadline_flags_case_id_day')),
    )
    with op.batch_alter_table('deadline_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_flags_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('review_extended_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('installer_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('installer_credit_code', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('installer_licence', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('registration_number', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_street'), ['street'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_street'))
        batch_op.drop_column('registration_number')
        batch_op.drop_column('installer_licence')
        batch_op.drop_column('installer_credit_code')
        batch_op.drop_column('installer_name')
        batch_op.drop_column('review_extended_days')
        batch_op.drop_column('street')

    with op.batch_alter_table('deadline_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_flags_case_id'))
    op.drop_table('deadline_flags')

    with op.batch_alter_table('clock_pauses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_pauses_case_id'))
    op.drop_table('clock_pauses')
