"""trigram search indexes on SQLite (FTS5), as pg_trgm gives PostgreSQL

Revision ID: b7e2d4c8a913
Revises: f3a9c6e2b1d7
Create Date: 2026-12-03 09:00:00
"""

from alembic import op

from workflow.data import search_index

revision = "b7e2d4c8a913"
down_revision = "f3a9c6e2b1d7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite only; an SQLite without the trigram tokenizer keeps searching with LIKE.
    if op.get_bind().dialect.name == "sqlite":
        search_index.install(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        search_index.uninstall(op.get_bind())
