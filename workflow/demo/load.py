"""Many generated rows into a few tables at once (the province-scale demo, workflow.demo_bulk).

PostgreSQL: the whole load is one transaction. The tables' secondary indexes are dropped
first and built again at the end, and so are the foreign keys checked on insert (one join
when the constraint is added back costs far less than a lookup per row): building a trigram index over 1.6 million owners' names once
is many times cheaper than updating it row by row, and a B-tree built from sorted input stays
in memory where one fed in random order does not. Primary keys and unique indexes stay, so the
data are still checked as they arrive. Rows go in with COPY from a second thread, so that the
server stores one chunk while Python makes the next (the machine has more than one core). If
anything fails the transaction rolls back, the dropped indexes with it.

SQLite: executemany, one transaction per chunk.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

Chunk = dict[str, list[tuple]]
Tables = dict[str, list[str]]

# Index builds sort in memory when they can; the server's default (64 MB) spills to disk.
BUILD_MEMORY = "512MB"


@contextmanager
def loading(
    engine: Engine, tables: Tables, *, rebuild: bool = True, analyze: tuple[str, ...] = ()
) -> Iterator[Callable[[Chunk], None]]:
    """A function that stores one chunk of rows (table name → tuples in `tables` order).

    `rebuild=False` keeps PostgreSQL's indexes and foreign keys in place: for a load small
    beside what the tables hold, rebuilding would cost more than it saves. `analyze` names
    further tables whose statistics the caller changed."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn, _copying(conn, tables, rebuild) as put:
            yield put
        with engine.begin() as conn:
            conn.exec_driver_sql(f"ANALYZE {', '.join([*tables, *analyze])}")
    else:
        yield lambda chunk: _insert_sqlite(engine, tables, chunk)
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _insert_sqlite(engine: Engine, tables: Tables, chunk: Chunk) -> None:
    with engine.begin() as conn:
        for table, cols in tables.items():
            rows = chunk.get(table)
            if rows:
                marks = ", ".join("?" for _ in cols)
                conn.exec_driver_sql(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",  # nosec B608  # table and column names are our own constants
                    [tuple(map(_sqlite_value, row)) for row in rows],
                )


def _sqlite_value(v: Any) -> Any:
    """Values as SQLAlchemy itself stores them in SQLite (text dates with microseconds)."""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


@contextmanager
def _copying(conn: Connection, tables: Tables, rebuild: bool) -> Iterator[Callable[[Chunk], None]]:
    started = time.perf_counter()
    conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    keys = foreign_keys(conn, list(tables)) if rebuild else []
    for table, name, _ in keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    indexes = secondary_indexes(conn, list(tables)) if rebuild else []
    for name, _ in indexes:
        conn.exec_driver_sql(f"DROP INDEX {name}")
    copier = _Copier(conn, tables)
    try:
        yield copier.put
    finally:
        copier.close()
    copied = time.perf_counter()
    for _, definition in indexes:
        conn.exec_driver_sql(definition)
    built = time.perf_counter()
    for table, name, definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    log.info(
        "bulk load: rows %.1f s, %d indexes %.1f s, %d foreign keys %.1f s",
        copied - started, len(indexes), built - copied, len(keys), time.perf_counter() - built,
    )  # fmt: skip


def foreign_keys(conn: Connection, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the foreign keys the tables' rows are checked against."""
    rows = conn.execute(
        text(
            """
            SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relnamespace = current_schema()::regnamespace
              AND t.relname = ANY(:tables) AND c.contype = 'f'
            ORDER BY 1, 2
            """
        ),
        {"tables": tables},
    )
    return [(table, name, definition) for table, name, definition in rows]


def secondary_indexes(conn: Connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that neither are a primary key
    nor enforce uniqueness or another constraint, in the current schema."""
    rows = conn.execute(
        text(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relnamespace = current_schema()::regnamespace
              AND t.relname = ANY(:tables)
              AND NOT i.indisunique AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """
        ),
        {"tables": tables},
    )
    return [(name, definition) for name, definition in rows]


class _Copier:
    """COPY in a thread of its own; the queue holds at most two chunks, so memory stays flat."""

    def __init__(self, conn: Connection, tables: Tables) -> None:
        self.raw = conn.connection.driver_connection
        self.statements = {
            t: f"COPY {t} ({', '.join(cols)}) FROM STDIN" for t, cols in tables.items()
        }
        self.chunks: queue.Queue[Chunk | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bulk-copy", daemon=True)
        self.thread.start()

    def put(self, chunk: Chunk) -> None:
        if self.error is not None:
            raise self.error
        self.chunks.put(chunk)

    def close(self) -> None:
        self.chunks.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while (chunk := self.chunks.get()) is not None:
                with self.raw.cursor() as cur:
                    for table, statement in self.statements.items():
                        rows = chunk.get(table)
                        if rows:
                            with cur.copy(statement) as copy:
                                for row in rows:
                                    copy.write_row(row)
        except BaseException as exc:  # noqa: BLE001 - handed to the producer, raised there
            self.error = exc
            while self.chunks.get() is not None:  # let the producer finish putting
                pass
