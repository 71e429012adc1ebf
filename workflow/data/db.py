"""The database: one engine, read sessions and write transactions.

SQLite (WAL, one writer) is the embedded default; PostgreSQL the multi-process deployment.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import Conflict, msg
from . import search_index
from .models import Base, User

BUSY_TIMEOUT_MS = 10_000
# Once a unit of work (a request, a job) has committed, its answer is owed: the act is done. If
# the database goes away right then (a restart), the reads that build the answer are asked again
# and wait for it to come back, this long, instead of failing with an error that would tell the
# user it was not done.
WAIT_AFTER_COMMIT = 20.0
_COMMITTED: ContextVar[bool] = ContextVar("jiati_committed", default=False)


class _Reading:
    """The one read session of a unit of work that reads (a page, an API GET), opened at its
    first read and shared by every read after it."""

    session: Session | None = None

    def __init__(self) -> None:
        # The identity map holds its objects weakly: the accounts read (the viewer's, checked by
        # every service it calls) are held here, so that each is loaded once per unit of work.
        self.accounts: list[User] = []

    def open(self, maker: sessionmaker) -> Session:
        if self.session is None:
            self.session = maker()
            event.listen(self.session, "loaded_as_persistent", self._hold)
        return self.session

    def _hold(self, _session: Session, obj: object) -> None:
        if isinstance(obj, User):
            self.accounts.append(obj)

    def end(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
            self.accounts.clear()


_READING: ContextVar[_Reading | None] = ContextVar("jiati_reading", default=None)


def begin_unit_of_work() -> None:
    """A request or a job starts: nothing of it has committed yet."""
    _COMMITTED.set(False)


def _connect_after_commit(dialect, _record, cargs, cparams):  # noqa: ANN001 - the event's own
    """A new connection for a unit of work that has committed: retried until the database
    answers (or WAIT_AFTER_COMMIT has passed); otherwise the driver's usual single attempt."""
    if not _COMMITTED.get():
        return None
    deadline = time.monotonic() + WAIT_AFTER_COMMIT
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except dialect.loaded_dbapi.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _sqlite_setup(engine: Engine) -> None:
    # pysqlite starts a transaction only at the first write, so a transaction that reads then
    # writes can get SQLITE_BUSY at once, ignoring busy_timeout. The documented recipe: let
    # pysqlite do nothing and emit BEGIN ourselves; IMMEDIATE for write transactions.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001
        immediate = conn.get_execution_options().get("write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class ReadSessionWrite(RuntimeError):
    """Something tried to write through `Database.session()`, which only reads."""


def _refuse_writes(session: Session, *_: object) -> None:
    raise ReadSessionWrite("a read session (Database.session) must not write: use transaction()")


def _refuse_write_statements(state) -> None:  # noqa: ANN001 - ORMExecuteState
    if state.is_insert or state.is_update or state.is_delete:
        _refuse_writes(state.session)


def _read_again_after_commit(state):  # noqa: ANN001 - ORMExecuteState
    """A read of a unit of work that has committed, cut off by the database going away (its
    connection ended in the middle of the statement): read again on a new connection, which
    waits for the database to come back. Reads commit nothing, so asking again is harmless."""
    if not _COMMITTED.get() or state.is_relationship_load or state.is_column_load:
        return None
    try:
        return state.invoke_statement()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    state.session.rollback()  # lets the dead connection go
    return state.invoke_statement()


class Database:
    def __init__(self, url: str, echo: bool = False):
        self.url = url
        kwargs: dict = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        # A pre-forking server (gunicorn --preload) must not share pooled connections with
        # its workers: each child starts with an empty pool.
        os.register_at_fork(after_in_child=lambda: self.engine.dispose(close=False))
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        else:
            event.listen(self.engine, "do_connect", _connect_after_commit)
        # Reading needs no transaction of its own on PostgreSQL: under READ COMMITTED each
        # statement sees what was committed when it began, inside a transaction or not, and
        # autocommit saves the BEGIN and ROLLBACK round trips of every page and token check.
        # A read session therefore must not write; `_refuse_writes` makes sure it never does.
        reader = self.engine
        if not self.is_sqlite:
            reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read = sessionmaker(reader, expire_on_commit=False)
        event.listen(self._read, "before_flush", _refuse_writes)
        event.listen(self._read, "do_orm_execute", _refuse_write_statements)
        event.listen(self._read, "do_orm_execute", _read_again_after_commit)
        self._write = sessionmaker(
            self.engine.execution_options(write=True), expire_on_commit=False
        )

    @contextmanager
    def reading(self) -> Iterator[None]:
        """A unit of work that mostly reads: inside it, every `session()` is one and the same
        session, so a page that asks a dozen services for its parts checks out one connection
        and loads the viewer's account once (the identity map), not once per service. A write
        transaction inside it ends that session, so what is read after a write sees the write."""
        scope = _Reading()
        token = _READING.set(scope)
        try:
            yield
        finally:
            scope.end()
            try:
                _READING.reset(token)
            except ValueError:  # ended in another context (a streamed response): just clear it
                _READING.set(None)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading: it writes nothing (a flush or an INSERT, UPDATE or DELETE
        through it raises `ReadSessionWrite`), and what it loaded stays readable after it
        closes. Inside `reading()` it is the unit of work's shared read session."""
        scope = _READING.get()
        if scope is None:
            with self._read() as s:
                yield s
            return
        yield scope.open(self._read)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: everything in it commits together, or nothing does.

        A lost race (stale version, a duplicate unique key such as a second vote or an audit
        sequence taken by another writer) becomes a `Conflict`.
        """
        # Inside `reading()`, the shared read session ends before and after the write: whatever
        # is read next sees the write (on SQLite too, where a read transaction is a snapshot).
        scope = _READING.get()
        if scope is not None:
            scope.end()
        try:
            with self._write_transaction() as s:
                yield s
        finally:
            if scope is not None:
                scope.end()

    @contextmanager
    def _write_transaction(self) -> Iterator[Session]:
        with self._write() as s:
            try:
                with s.begin():
                    yield s
            except StaleDataError as exc:
                raise Conflict(
                    msg(
                        "stale",
                        "案件已被他人更新，请刷新页面后重试。",
                        "The case was changed by someone else; reload and try again.",
                    )
                ) from exc
            except IntegrityError as exc:
                text = str(exc.orig).lower()
                if "unique" not in text and "duplicate key" not in text:
                    raise
                raise Conflict(
                    msg(
                        "duplicate",
                        "该操作与另一操作同时进行且已被记录，请刷新页面查看。",
                        "A simultaneous action was recorded first; reload to see it.",
                    )
                ) from exc
            except OperationalError as exc:
                if "locked" in str(exc).lower():
                    raise Conflict(
                        msg("busy", "系统繁忙，请稍后重试。", "The system is busy; try again.")
                    ) from exc
                raise
            _COMMITTED.set(True)

    def create_all(self) -> None:
        Base.metadata.create_all(self.engine)
        if self.is_sqlite:
            with self.engine.begin() as conn:
                search_index.install(conn)

    def dispose(self) -> None:
        self.engine.dispose()
