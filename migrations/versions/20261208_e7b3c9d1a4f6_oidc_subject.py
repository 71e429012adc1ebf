"""A staff account's 政务服务网 (OpenID Connect) subject, linked by the admin

Revision ID: e7b3c9d1a4f6
Revises: e0c5b2d7a914
Create Date: 2026-12-08 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'e7b3c9d1a4f6'
down_revision = 'e0c5b2d7a914'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_oidc_subject'), ['oidc_subject'])


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_oidc_subject'), type_='unique')
        batch_op.drop_column('oidc_subject')
