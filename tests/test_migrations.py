"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from web.cli import upgrade_database
from workflow.models import Base


def differences(url: str) -> list:
    upgrade_database(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    return diff


def test_migrations_match_the_models_on_sqlite(tmp_path):
    assert differences(f"sqlite:///{tmp_path / 'm.sqlite3'}") == []


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgresql(pg_url):
    assert differences(pg_url) == []
