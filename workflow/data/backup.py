"""A consistent copy of an instance — every table's rows and every stored file — in one
`.tar.gz`, and its return onto an empty instance.

Consistent: the rows are read in one snapshot (REPEATABLE READ on PostgreSQL; one read
transaction on SQLite's WAL), and files never change once named by their SHA-256 and are written
before the rows that refer to them commit, so every file a row names is there to copy. The copy
is portable: a backup of SQLite restores onto PostgreSQL and back.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Column, func, insert, select, text

from .models import Base, StoredFile
from .runtime import Runtime
from .storage import digest_of

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Summary:
    revision: str | None
    rows: dict[str, int]
    files: int


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _decoder(column: Column) -> Callable[[Any], Any]:
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return lambda v: v
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is Decimal:
        return Decimal
    if kind is bytes:
        return base64.b64decode
    return lambda v: v


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def _revision(conn) -> str | None:  # noqa: ANN001
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def dump(rt: Runtime, target: Path) -> Summary:
    """Write the backup to `target` (a .tar.gz), whole or not at all."""
    tmp = target.with_name(target.name + ".partial")
    try:
        summary = _dump(rt, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)
    return summary


def _dump(rt: Runtime, tmp: Path) -> Summary:
    engine = rt.db.engine
    options = {} if rt.db.is_sqlite else {"isolation_level": "REPEATABLE READ"}
    rows: dict[str, int] = {}
    with (
        engine.connect().execution_options(**options) as conn,
        conn.begin(),
        tarfile.open(tmp, "w:gz") as tar,
    ):
        revision = _revision(conn)
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns)
            lines = []
            for row in conn.execute(select(table).order_by(*order)).mappings():
                lines.append(
                    json.dumps({k: _encode(v) for k, v in row.items()}, ensure_ascii=False)
                )
            rows[table.name] = len(lines)
            _add(tar, f"tables/{table.name}.jsonl", "\n".join(lines).encode())
        shas = list(conn.scalars(select(StoredFile.sha256).order_by(StoredFile.sha256)))
        for sha in shas:
            data = rt.store.read(sha)
            if digest_of(data) != sha:
                raise BackupError(f"stored file {sha} no longer matches its SHA-256")
            _add(tar, f"files/{sha[:2]}/{sha}", data)
        manifest = {
            "format": FORMAT,
            "revision": revision,
            "dialect": engine.dialect.name,
            "made_at": rt.clock().isoformat(),
            "rows": rows,
            "files": len(shas),
        }
        _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    return Summary(revision, rows, len(shas))


def restore(rt: Runtime, source: Path, upgrade: Callable[[str, str], None]) -> Summary:
    """Bring a backup back onto an empty instance. `upgrade(url, revision)` migrates the schema
    (first to the backup's revision, then to the newest)."""
    with tarfile.open(source, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}

        def read(name: str) -> bytes:
            if name not in members:
                raise BackupError(f"{source} has no {name}: not a backup of this software")
            return tar.extractfile(members[name]).read()

        manifest = json.loads(read("manifest.json"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')}")
        revision = manifest["revision"]
        upgrade(rt.db.url, revision or "head")
        with rt.db.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                if conn.scalar(select(func.count()).select_from(table)):
                    raise BackupError(
                        f"the database is not empty (table {table.name}); restore needs an empty one"
                    )
        files = 0
        for name in members:
            if name.startswith("files/"):
                data = read(name)
                sha = name.rsplit("/", 1)[1]
                if rt.store.put(data) != sha:
                    raise BackupError(f"{name} in the backup does not match its SHA-256")
                files += 1
        rows: dict[str, int] = {}
        with rt.db.engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                decode = {c.name: _decoder(c) for c in table.columns}
                raw = read(f"tables/{table.name}.jsonl").decode()
                batch = []
                for line in filter(None, raw.split("\n")):
                    row = json.loads(line)
                    batch.append(
                        {
                            k: (None if v is None else decode[k](v))
                            for k, v in row.items()
                            if k in decode
                        }
                    )
                if batch:
                    conn.execute(insert(table), batch)
                rows[table.name] = len(batch)
            if conn.dialect.name == "postgresql":
                _reset_sequences(conn)
    upgrade(rt.db.url, "head")
    return Summary(revision, rows, files)


def _reset_sequences(conn) -> None:  # noqa: ANN001
    """Rows came with their ids: the next id must follow the largest one."""
    for table in Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = conn.scalar(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name}
        )
        if seq:
            conn.execute(
                text(
                    f"SELECT setval(:s, COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 1), "  # nosec B608  # table and column names from our own metadata
                    f"(SELECT MAX({pk[0].name}) FROM {table.name}) IS NOT NULL)"
                ),  # fmt: skip
                {"s": seq},
            )
