"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from web.schema import upgrade_database
from workflow.data import search_index
from workflow.data.models import Base


def _declared(obj, name, type_, reflected, compare_to) -> bool:
    # Trigram indexes are the search accelerator (pg_trgm on PostgreSQL, FTS5 tables on
    # SQLite), made by the migration where the database allows; the models leave them out.
    if type_ == "table" and reflected and (name or "").startswith(tuple(search_index.INDEXES)):
        return False
    return not (type_ == "index" and reflected and (name or "").startswith("trgm_"))


def differences(url: str) -> list:
    upgrade_database(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _declared})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_migrations_match_the_models_on_sqlite(tmp_path):
    assert differences(f"sqlite:///{tmp_path / 'm.sqlite3'}") == []


def test_the_migration_gives_sqlite_its_trigram_search_indexes(tmp_path):
    from sqlalchemy.orm import Session

    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    upgrade_database(url)
    engine = create_engine(url)
    with Session(engine) as s:
        assert search_index.available(s)
    engine.dispose()


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgresql(pg_url):
    assert differences(pg_url) == []
