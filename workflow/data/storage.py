"""Files by content: bytes are stored once under their SHA-256 and never change.

A file is written (to a temporary name, then renamed) before the transaction that refers to
it commits; if that transaction rolls back, the blob is merely unreferenced, never half-written,
and a later identical upload reuses it.

The domain sees one small port, `BlobStore`; where the bytes live (a local folder, an
S3-compatible bucket shared by every host) is an adapter in `workflow/adapters/`, chosen by the
`STORAGE_URL` setting in one place (`workflow.adapters.store_from_url`).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from .models import StoredFile


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@runtime_checkable
class BlobStore(Protocol):
    """Where file bytes live, named by their SHA-256."""

    def put(self, data: bytes) -> str: ...

    def read(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def matches(self, sha256: str) -> bool: ...

    def record(self, session: Session, data: bytes, content_type: str, now: datetime) -> str: ...

    def delete(self, sha256: str) -> None:
        """Remove the bytes (once the retention period of what they hold is over); a file
        already gone is no error."""

    def check(self) -> None:
        """Raise if the store cannot be written and read back (for /readyz and `check`)."""


class ContentAddressed:
    """What every backend shares: the tamper check and the row that records a blob."""

    def read(self, sha256: str) -> bytes:  # pragma: no cover - every backend defines it
        raise NotImplementedError

    def exists(self, sha256: str) -> bool:  # pragma: no cover
        raise NotImplementedError

    def put(self, data: bytes) -> str:  # pragma: no cover
        raise NotImplementedError

    def delete(self, sha256: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def matches(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name (tamper check)."""
        if not self.exists(sha256):
            return False
        return digest_of(self.read(sha256)) == sha256

    def record(self, session: Session, data: bytes, content_type: str, now: datetime) -> str:
        """Store the bytes and their row in the session's transaction; return the SHA-256."""
        digest = self.put(data)
        if session.get(StoredFile, digest) is None:
            session.add(
                StoredFile(sha256=digest, size=len(data), content_type=content_type, created_at=now)
            )
            session.flush()
        return digest

    def check(self) -> None:
        probe = b"jiati readiness probe\n"
        sha = self.put(probe)
        if self.read(sha) != probe:
            raise OSError("the store gave back other bytes than were written")
