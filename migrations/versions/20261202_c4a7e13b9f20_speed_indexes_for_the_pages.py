"""indexes for every query the pages run; trigram search on PostgreSQL

Revision ID: c4a7e13b9f20
Revises: a7c3e19d52f4
Create Date: 2026-12-02 09:30:00
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "c4a7e13b9f20"
down_revision = "a7c3e19d52f4"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Search by reference, address, community, owner name or phone is `LIKE '%…%'`: only trigram
# indexes (pg_trgm) answer that without reading every row. The models do not declare them, as
# the extension needs rights a database may not grant; without it search still works, slower.
TRIGRAM = {
    "trgm_cases_reference": ("cases", "reference"),
    "trgm_cases_address": ("cases", "address"),
    "trgm_cases_community": ("cases", "community"),
    "trgm_households_owner_name": ("households", "owner_name"),
    "trgm_households_phone": ("households", "phone"),
}


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_updated_at_id", ["updated_at", "id"], unique=False)
        batch_op.create_index(
            "ix_cases_state_updated_at_id", ["state", "updated_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_cases_community",
            ["community"],
            unique=False,
            postgresql_ops={"community": "varchar_pattern_ops"},
        )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(
            "ix_households_owner_name",
            ["owner_name"],
            unique=False,
            postgresql_ops={"owner_name": "varchar_pattern_ops"},
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_kind_at", ["kind", "at", "from_state", "to_state"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        _trigram_indexes()


def _trigram_indexes() -> None:
    bind = op.get_bind()
    schema = bind.execute(
        sa.text(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
        )
    ).scalar()
    if schema is None:
        try:
            with bind.begin_nested():
                bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            schema = "public"
        except sa.exc.DBAPIError as exc:
            log.warning("pg_trgm not available (%s): search works without trigram indexes", exc)
            return
    # The operator class is named with its schema: the search path may not include it.
    for name, (table, column) in TRIGRAM.items():
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} {schema}.gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_kind_at")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_owner_name")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_community")
        batch_op.drop_index("ix_cases_state_updated_at_id")
        batch_op.drop_index("ix_cases_updated_at_id")
