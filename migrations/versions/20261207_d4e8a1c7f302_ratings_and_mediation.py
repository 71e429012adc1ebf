"""好差评 ratings with their rectification; mediation of objections with its sessions

Revision ID: d4e8a1c7f302
Revises: c4d1a7e9f352
Create Date: 2026-12-07 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'd4e8a1c7f302'
down_revision = 'c4d1a7e9f352'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('street', sa.String(length=32), nullable=True))
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settled_by', sa.String(length=16), nullable=True))

    op.create_table(
        'mediations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('objection_id', sa.Integer(), nullable=False),
        sa.Column('street', sa.String(length=32), nullable=True),
        sa.Column('referred_by_id', sa.Integer(), nullable=False),
        sa.Column('referred_at', sa.DateTime(), nullable=False),
        sa.Column('agreed', sa.Boolean(), nullable=True),
        sa.Column('opinion', sa.Text(), nullable=True),
        sa.Column('mediator_id', sa.Integer(), nullable=True),
        sa.Column('concluded_at', sa.DateTime(), nullable=True),
        sa.Column('withdrawal_scan', sa.String(length=64), nullable=True),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_mediations_case_id_cases')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_mediations_document_id_documents')),
        sa.ForeignKeyConstraint(['mediator_id'], ['users.id'], name=op.f('fk_mediations_mediator_id_users')),
        sa.ForeignKeyConstraint(['objection_id'], ['objections.id'], name=op.f('fk_mediations_objection_id_objections')),
        sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_mediations_referred_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mediations')),
    )
    with op.batch_alter_table('mediations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediations_objection_id'), ['objection_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mediations_street'), ['street'], unique=False)

    op.create_table(
        'mediation_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mediation_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('place', sa.String(length=200), nullable=False),
        sa.Column('attendees', sa.JSON(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['mediation_id'], ['mediations.id'], name=op.f('fk_mediation_sessions_mediation_id_mediations')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_mediation_sessions_recorded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mediation_sessions')),
    )
    with op.batch_alter_table('mediation_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mediation_sessions_mediation_id'), ['mediation_id'], unique=False)

    op.create_table(
        'ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('act', sa.Integer(), nullable=False),
        sa.Column('trigger', sa.String(length=32), nullable=False),
        sa.Column('desk', sa.String(length=32), nullable=False),
        sa.Column('rater_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.Column('rated_at', sa.DateTime(), nullable=False),
        sa.Column('rectify_due', sa.Date(), nullable=True),
        sa.Column('rectification', sa.Text(), nullable=True),
        sa.Column('rectified_at', sa.DateTime(), nullable=True),
        sa.Column('rectified_by_id', sa.Integer(), nullable=True),
        sa.Column('followup_level', sa.Integer(), nullable=True),
        sa.Column('followup_comment', sa.Text(), nullable=True),
        sa.Column('followup_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ratings_case_id_cases')),
        sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_ratings_rater_id_users')),
        sa.ForeignKeyConstraint(['rectified_by_id'], ['users.id'], name=op.f('fk_ratings_rectified_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
        sa.UniqueConstraint('case_id', 'act', 'rater_id', name=op.f('uq_ratings_case_id_act_rater_id')),
    )
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ratings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_desk'), ['desk'], unique=False)
        batch_op.create_index(batch_op.f('ix_ratings_rated_at'), ['rated_at'], unique=False)


def downgrade() -> None:
    op.drop_table('ratings')
    op.drop_table('mediation_sessions')
    op.drop_table('mediations')
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_column('settled_by')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('street')
