"""Files by content: bytes are stored once under their SHA-256 and never change.

A file is written (to a temporary name, then renamed) before the transaction that refers to
it commits; if that transaction rolls back, the blob is merely unreferenced, never half-written,
and a later identical upload reuses it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from .models import StoredFile


class FileStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def matches(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name (tamper check)."""
        p = self.path(sha256)
        if not p.exists():
            return False
        return hashlib.sha256(p.read_bytes()).hexdigest() == sha256

    def record(self, session: Session, data: bytes, content_type: str, now: datetime) -> str:
        """Store the bytes and their row in the session's transaction; return the SHA-256."""
        digest = self.put(data)
        if session.get(StoredFile, digest) is None:
            session.add(
                StoredFile(sha256=digest, size=len(data), content_type=content_type, created_at=now)
            )
            session.flush()
        return digest
