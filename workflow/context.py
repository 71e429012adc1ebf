"""What a guard or an effect may look at: one object per fired trigger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from .db import Database
from .jobs import JobScheduler
from .models import Case, Letter, User
from .rules.workdays import WorkCalendar
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
    # Outbox SMS (workflow.notifications); None: logged only.
    sms: Any = None


@dataclass
class Context:
    session: Session
    case: Case
    actor: User
    roles: frozenset[str]
    settings: Settings
    calendar: WorkCalendar
    now: datetime
    store: BlobStore
    renderer: Renderer | None = None
    params: dict[str, Any] = field(default_factory=dict)
    issued: list[Letter] = field(default_factory=list)

    def attach(self, collection: str, row: Any) -> None:
        """A new row of one of the case's collections: written by the transition's flush,
        and added to the collection only where it is loaded (loading it just to append would
        cost a query; nothing in the same transition reads it back before that flush)."""
        self.session.add(row)
        if collection in inspect(self.case).dict:
            getattr(self.case, collection).append(row)
