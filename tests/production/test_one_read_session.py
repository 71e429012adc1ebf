"""A request reads through one session: one connection, the viewer's account loaded once, and
what it reads after a write sees the write, on SQLite and on PostgreSQL."""

from datetime import datetime

import pytest
from sqlalchemy import event, select

from workflow.data.db import Database
from workflow.data.models import Base, User

from ..conftest import login, make_app


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    url = (
        f"sqlite:///{tmp_path / 'one.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    database = Database(url)
    Base.metadata.create_all(database.engine, tables=[User.__table__])
    with database.transaction() as s:
        s.add(
            User(
                username="wang",
                password_hash="x",
                role="clerk",
                name="王窗口",
                created_at=datetime(2026, 12, 7),
            )
        )
    yield database
    database.dispose()


def statements(database: Database) -> list[str]:
    seen: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: seen.append(a[2].split()[0]))
    return seen


def test_reads_in_one_unit_of_work_share_a_session_and_load_an_account_once(db):
    seen = statements(db)
    with db.reading():
        with db.session() as s:
            first = s.scalar(select(User.id))
        seen.clear()
        for _ in range(3):
            with db.session() as s:
                assert s.get(User, first).name == "王窗口"
    assert seen == ["SELECT"]  # three services asked for the account: it was read once


def test_without_a_unit_of_work_each_session_reads_for_itself(db):
    with db.session() as s:
        first = s.scalar(select(User.id))
    seen = statements(db)
    with db.session() as s:
        s.get(User, first)
    with db.session() as s:
        s.get(User, first)
    assert seen.count("SELECT") == 2


def test_what_is_read_after_a_write_sees_the_write(db):
    with db.reading():
        with db.session() as s:
            user = s.scalars(select(User)).one()
            assert user.name == "王窗口"
        with db.transaction() as s:
            s.get(User, user.id).name = "刘窗口"
        with db.session() as s:
            assert s.get(User, user.id).name == "刘窗口"
            assert s.scalars(select(User.name)).one() == "刘窗口"


def test_a_queue_page_checks_out_one_connection_and_reads_the_viewer_once(tmp_path, clock):
    from ..journey import make_people

    app = make_app(tmp_path, clock)
    make_people(app.extensions["jiati"])
    client = app.test_client()
    login(client, "clerk")
    engine = app.extensions["jiati"].db.engine
    checkouts, accounts = [], []
    event.listen(engine, "checkout", lambda *a: checkouts.append(1))

    def _account_read(_conn, _cur, statement, params, _ctx, _many):
        if statement.lstrip().startswith("SELECT users.id") and "WHERE users.id =" in statement:
            accounts.append(params)

    event.listen(engine, "before_cursor_execute", _account_read)
    assert client.get("/staff/").status_code == 200
    assert len(checkouts) == 1
    assert len(accounts) == 1
    app.extensions["jiati"].db.dispose()
