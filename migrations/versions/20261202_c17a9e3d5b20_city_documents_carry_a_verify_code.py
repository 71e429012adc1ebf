"""generated documents carry a verification code, as letters do

Revision ID: c17a9e3d5b20
Revises: c0a5e7f19d42
Create Date: 2026-12-02 09:40:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'c17a9e3d5b20'
down_revision = 'c0a5e7f19d42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verify_code', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_documents_verify_code'), ['verify_code'])


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_documents_verify_code'), type_='unique')
        batch_op.drop_column('verify_code')
