"""Bulk demo data: every case's audit chain verifies, and on PostgreSQL the load leaves the
schema as it found it (the indexes and foreign keys it sets aside while copying are back)."""

import pytest
from sqlalchemy import func, select, text

from workflow.data import audit
from workflow.data.models import Case, Event, Household
from workflow.demo.bulk import generate

from ..conftest import make_runtime
from ..journey import make_people


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def rt(request, tmp_path, clock):
    if request.param == "sqlite":
        runtime = make_runtime(f"sqlite:///{tmp_path / 'bulk.sqlite3'}", tmp_path, clock)
    else:
        from web.schema import upgrade_database

        url = request.getfixturevalue("pg_url")
        upgrade_database(url)
        runtime = make_runtime(url, tmp_path, clock)
    make_people(runtime)
    yield runtime
    runtime.db.dispose()


def test_bulk_cases_carry_audit_chains_that_verify(rt):
    ids = generate(rt, 40, seed=5)
    with rt.db.session() as s:
        checked, broken = audit.verify(s)
        assert broken is None
        assert checked == s.scalar(select(func.count(Event.id)))
        assert s.scalar(select(func.count(Case.id)).where(Case.id.in_(ids))) == 40


def test_units_have_eight_to_twenty_four_households(rt):
    generate(rt, 30, seed=9)
    with rt.db.session() as s:
        sizes = s.scalars(select(func.count(Household.id)).group_by(Household.case_id)).all()
    assert sizes and all(8 <= n <= 24 for n in sizes)


def test_a_second_smaller_load_continues_after_the_first(rt):
    first = generate(rt, 10, seed=1)
    second = generate(rt, 4, seed=2)  # on PostgreSQL, with the indexes left in place
    assert second[0] == first[-1] + 1
    with rt.db.session() as s:
        assert audit.verify(s)[1] is None


@pytest.mark.postgres
def test_the_load_puts_back_every_index_and_foreign_key(pg_url, tmp_path, clock):
    from web.schema import upgrade_database

    upgrade_database(pg_url)
    runtime = make_runtime(pg_url, tmp_path, clock)
    make_people(runtime)
    schema = text(
        """
        SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
        UNION ALL
        SELECT conname || ' ' || pg_get_constraintdef(c.oid) || ' ' || c.convalidated::text
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        WHERE t.relnamespace = current_schema()::regnamespace
        """
    )
    with runtime.db.engine.connect() as c:
        before = sorted(c.execute(schema).scalars())
    generate(runtime, 25, seed=4)
    with runtime.db.engine.connect() as c:
        after = sorted(c.execute(schema).scalars())
    runtime.db.dispose()
    assert after == before
    assert any("gin_trgm_ops" in d for d in after)
