"""Substring search on SQLite: FTS5 trigram indexes beside the cases and the households.

Search is `LIKE '%…%'` on a case's reference, address or community and on an owner's name or
phone. PostgreSQL answers that from pg_trgm indexes; SQLite would read every row (1.6 million
households at province scale, about 100 ms). The FTS5 trigram tokenizer (SQLite 3.34+) is the
same idea: an external-content index per table, kept current by triggers, that finds the rows
containing a string of three characters or more in well under a millisecond.

The indexes are made by the migration and by `Database.create_all`; a database without them
(an SQLite built without FTS5) searches with LIKE as before. A later migration that rebuilds
`cases` or `households` (Alembic's batch mode on SQLite copies the table) drops the triggers:
it must call `install` again.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Integer, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

log = logging.getLogger(__name__)

# index table → (content table, its indexed columns)
INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "cases_search": ("cases", ("reference", "address", "community")),
    "households_search": ("households", ("owner_name", "phone")),
}


def _statements(index: str, table: str, columns: tuple[str, ...]) -> list[str]:
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    # Every name here comes from INDEXES above, never from input.
    forget = f"INSERT INTO {index}({index}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # nosec B608  # names from INDEXES
    learn = f"INSERT INTO {index}(rowid, {cols}) VALUES (new.id, {new});"  # nosec B608  # names from INDEXES
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5("
        f"{cols}, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN {learn} END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE OF {cols} ON {table} "
        f"BEGIN {forget} {learn} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",  # nosec B608  # names from INDEXES
    ]


def install(conn: Connection) -> bool:
    """Create (or bring up to date) the indexes on an SQLite database; False where this SQLite
    has no FTS5 trigram tokenizer (search then reads the tables)."""
    if conn.dialect.name != "sqlite":
        return False
    try:
        with conn.begin_nested():
            for index, (table, columns) in INDEXES.items():
                for statement in _statements(index, table, columns):
                    conn.exec_driver_sql(statement)
    except Exception as exc:  # noqa: BLE001 - e.g. "no such tokenizer: trigram"
        log.warning("SQLite full-text search not available (%s): search reads the tables", exc)
        return False
    _known.clear()
    return True


def uninstall(conn: Connection) -> None:
    for index in INDEXES:
        for trigger in ("insert", "delete", "update"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {index}_{trigger}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {index}")
    _known.clear()


_known: dict[str, bool] = {}
_known_lock = threading.Lock()


def available(session: Session) -> bool:
    """True when this session's database is SQLite with the indexes in place (asked once per
    database and process)."""
    engine = session.get_bind().engine
    if engine.dialect.name != "sqlite":
        return False
    key = engine.url.render_as_string(hide_password=False)
    found = _known.get(key)
    if found is None or key.endswith((":memory:", "sqlite://")):
        names = set(
            session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (:a, :b)"),
                {"a": "cases_search", "b": "households_search"},
            ).scalars()
        )
        found = names == set(INDEXES)
        with _known_lock:
            _known[key] = found
    return found


def phrase(q: str) -> str:
    """`q` as one FTS5 string: matched as a substring, quotes doubled."""
    return '"' + q.replace('"', '""') + '"'


def rows_containing(index: str, q: str, columns: tuple[str, ...] | None = None) -> TextClause:
    """The ids of the rows whose columns (all the index's, or `columns`) contain `q`."""
    if index not in INDEXES or not set(columns or ()) <= set(INDEXES[index][1]):
        raise ValueError(f"no search index {index} with columns {columns}")
    target = phrase(q)
    if columns:
        target = "{" + " ".join(columns) + "} : " + target
    param = f"q_{index}"
    query: Any = text(f"SELECT rowid FROM {index} WHERE {index} MATCH :{param}")  # nosec B608  # index checked against INDEXES
    return query.bindparams(**{param: target}).columns(rowid=Integer)
