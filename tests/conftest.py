"""Fixtures in flaskr's shape: `app`, `client`, `runner`, plus the engine's `rt` and
builders that take cases through the real use cases."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import closing
from dataclasses import replace
from pathlib import Path

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


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """scrypt's cost is for attackers, not for tests; the stored hash records its own cost.
    For the whole session, so that module fixtures (the demo site and its logins) have it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("workflow.rules.passwords.N", 2**8)
        yield


@pytest.fixture(scope="session", autouse=True)
def url_builders_compiled_once():
    """Werkzeug compiles two small Python functions for each URL rule every time an app is
    made (about 60 ms of CPU for our 180 rules), and the suite makes an app for most tests.
    A builder depends only on the rule's parts and defaults, so each is compiled once per
    process and bound to every rule like it. A default standing in for a variable part is
    converted into the code: such rules are compiled as before."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def once(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return compile_builder(self, append_unknown)
        key = (tuple(self._trace), tuple(sorted(defaults)), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Rule, "_compile_builder", once)
        yield


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


_MIGRATED: list[Path] = []


def _migrated_template() -> Path:
    """A SQLite file made by the migrations, once per test process."""
    if not _MIGRATED:
        from web.schema import upgrade_database

        folder = Path(tempfile.mkdtemp(prefix="jiati-schema-"))
        atexit.register(shutil.rmtree, folder, True)
        upgrade_database(f"sqlite:///{folder / 'migrated.sqlite3'}")
        _MIGRATED.append(folder / "migrated.sqlite3")
    return _MIGRATED[0]


def migrate(url: str) -> None:
    """What `flask --app web db upgrade` does to a test's database. A SQLite database with no
    tables yet gets a copy of one the migrations made earlier in this process: Alembic's 20
    migrations cost about 0.4 s, and the suite makes an app for most of its tests. Anything
    else (PostgreSQL, a database already holding a schema) runs the migrations."""
    from web.schema import upgrade_database

    plain_file = url.startswith("sqlite:///") and "?" not in url
    path = url.removeprefix("sqlite:///") if plain_file else ":memory:"
    if path != ":memory:":
        with closing(sqlite3.connect(path)) as target:
            if not target.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                with closing(sqlite3.connect(_migrated_template())) as template:
                    template.backup(target)
                return
    upgrade_database(url)


def make_app(tmp_path, clock, **overrides):
    """The Flask app on a temporary instance folder and SQLite database (publicity 0 days,
    through the explicit demo setting),
    its schema made by the migrations (see `migrate`)."""
    from web import create_app

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
    migrate(app.config["DATABASE_URL"])
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
