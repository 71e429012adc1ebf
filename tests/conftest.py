"""Fixtures in flaskr's shape: `app`, `client`, `runner`, plus the engine's `rt` and
builders that take cases through the real use cases."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, text

from workflow.adapters.huey_sqlite import SqliteScheduler
from workflow.adapters.local import LocalFolderStore as FileStore
from workflow.data.db import Database
from workflow.data.runtime import Runtime
from workflow.data.settings import Settings

from .journey import Clock, Journey, make_people

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_base_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql://")
        else url
    )


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server, or a skip with the reason (a failure under CI=true)."""
    url = _pg_base_url()
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as c:
            c.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        reason = f"PostgreSQL unreachable at {url}: {exc.__class__.__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_url(pg_server):
    """A fresh schema for one test, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_server else "?"
    yield f"{pg_server}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def make_runtime(url: str, tmp_path, clock: Clock, renderer=None, **settings) -> Runtime:
    db = Database(url)
    db.create_all()
    base = replace(Settings(), publicity_days=0, demo_short_publicity=True, **settings)
    return Runtime(
        db=db, settings=base, store=FileStore(tmp_path / "files"), renderer=renderer, clock=clock
    )


def immediate_jobs(rt: Runtime, folder) -> SqliteScheduler:
    """The embedded queue in Huey's immediate mode: each job runs as it is scheduled, through the
    same tasks and locks the consumer runs (tests/production/test_embedded_queue.py runs it)."""
    jobs = SqliteScheduler(folder / "queue.sqlite3", immediate=True)
    jobs.bind(rt)
    rt.jobs = jobs
    return jobs


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """scrypt's cost is for attackers, not for tests; the stored hash records its own cost."""
    monkeypatch.setattr("workflow.rules.passwords.N", 2**8)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite"])
def database_url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def rt(database_url, tmp_path, clock):
    runtime = make_runtime(database_url, tmp_path, clock)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def people(rt):
    return make_people(rt)


@pytest.fixture
def journey(rt, people) -> Journey:
    return Journey(rt, people)


def make_app(tmp_path, clock, **overrides):
    """The Flask app on a temporary instance folder and SQLite database (publicity 0 days,
    through the explicit demo setting),
    its schema made by the migrations."""
    from web import create_app
    from web.schema import upgrade_database

    instance = tmp_path / "instance"
    os.environ["ELEVATOR_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "WTF_CSRF_ENABLED": False,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}",
                "FILES_DIR": str(tmp_path / "files"),
                "PUBLICITY_DAYS": 0,
                "DEMO_SHORT_PUBLICITY": True,
                "RENDER_PDF": False,
                # Journeys log in many times from one address; the throttle has its own tests.
                "RATELIMIT_ENABLED": False,
                **overrides,
            }
        )
    finally:
        os.environ.pop("ELEVATOR_INSTANCE_PATH", None)
    upgrade_database(app.config["DATABASE_URL"])
    app.extensions["jiati"].clock = clock
    return app


@pytest.fixture
def app(tmp_path, clock):
    app = make_app(tmp_path, clock)
    yield app
    app.extensions["jiati"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_people(app):
    return make_people(app.extensions["jiati"])


@pytest.fixture
def app_journey(app, app_people) -> Journey:
    return Journey(app.extensions["jiati"], app_people)


def login(client, username: str, password: str = "secret-pass-1"):
    return client.post("/auth/login", data={"username": username, "password": password})


@pytest.fixture
def as_owner(client, app_people):
    login(client, app_people.owner.username)
    return client


@pytest.fixture
def as_clerk(client, app_people):
    login(client, app_people.clerk.username)
    return client


@pytest.fixture
def as_housing(client, app_people):
    login(client, app_people.housing.username)
    return client


@pytest.fixture
def as_admin(client, app_people):
    login(client, app_people.admin.username)
    return client
