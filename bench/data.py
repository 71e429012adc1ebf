"""The data set the bench measures: the demo's logins plus N bulk cases, on SQLite or
PostgreSQL, made once and kept (a database per size) so a second run measures at once."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "instance" / "bench"
PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def url_for(db: str, cases: int) -> str:
    if db == "sqlite":
        WORK.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{WORK / f'bench-{cases}.sqlite3'}"
    return f"{PG_SERVER}/jiati_bench_{cases}"


def make_app(url: str):
    """The real app (fonts, renderer) on the bench database, CSRF off for the scripted client."""
    from web import create_app

    os.environ["ELEVATOR_INSTANCE_PATH"] = str(WORK / "instance")
    return create_app(
        {
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": url,
            "FILES_DIR": str(WORK / "files"),
            "RENDER_PDF": True,
            # Measured in this process, not served: jobs wait in the queue file for a server.
            "QUEUE_CONSUMER": False,
        }
    )


def _count(url: str) -> int | None:
    from workflow.data.models import Case

    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return c.scalar(select(func.count(Case.id)))
    except Exception:  # noqa: BLE001 - no database or no schema yet: build it
        return None
    finally:
        engine.dispose()


def ensure(db: str, cases: int, fresh: bool = False) -> str:
    """The database with the demo and `cases` bulk cases; built when missing or `fresh`."""
    url = url_for(db, cases)
    have = None if fresh else _count(url)
    from web.schema import upgrade_database

    if have is not None and have >= cases:
        # A data set kept from an earlier release gets this release's schema first.
        upgrade_database(url)
        print(f"  data set: {have:,} cases already in {url}", flush=True)
        return url
    _drop(db, url)
    from workflow.demo import seed as demo
    from workflow.demo.bulk import generate

    upgrade_database(url)
    app = make_app(url)
    rt = app.extensions["jiati"]
    demo.load(rt)
    start = time.perf_counter()

    def progress(n: int) -> None:
        print(f"\r  bulk cases: {n:,} / {cases:,}", end="", file=sys.stderr, flush=True)

    generate(rt, cases, progress=progress)
    took = time.perf_counter() - start
    print(f"\n  data set: {cases:,} bulk cases made in {took:.0f} s ({db})", flush=True)
    if db == "postgresql":
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(text("VACUUM ANALYZE"))
        engine.dispose()
    rt.db.dispose()
    return url


def _drop(db: str, url: str) -> None:
    if db == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return
    name = url.rsplit("/", 1)[1]
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
