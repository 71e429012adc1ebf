"""What every use case, job and read needs besides its arguments: one `Runtime` per application,
and the ports it holds (the renderer, the job queue); the adapters fill them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from .db import Database
from .settings import Settings
from .storage import BlobStore

CHINA = ZoneInfo("Asia/Shanghai")


def china_now() -> datetime:
    """Times are stored naive, in Beijing time: the dates on letters and deadlines are local."""
    return datetime.now(CHINA).replace(tzinfo=None)


class Renderer(Protocol):
    """Turns a letter's or a generated document's context into PDF bytes (web/pdf does)."""

    def letter(self, context: dict[str, Any]) -> bytes: ...

    def document(self, context: dict[str, Any]) -> bytes: ...


class JobScheduler(Protocol):
    """Runs a job by name with its ids, now or later, somewhere (`workflow.jobs`)."""

    def schedule(self, job: str, *ids: int) -> None: ...

    def check(self) -> None:
        """Raise if jobs cannot be scheduled (for /readyz and `flask check`)."""

    def describe(self) -> str: ...


@dataclass
class Runtime:
    """Everything a use case needs besides its arguments; one per application."""

    db: Database
    settings: Settings
    store: BlobStore
    renderer: Renderer | None = None
    clock: Callable[[], datetime] = china_now
    # Jobs after commit (workflow.jobs); None: letters render inside their transaction.
    jobs: JobScheduler | None = None
    # Outbox SMS (workflow.notify); None: logged only.
    sms: Any = None
