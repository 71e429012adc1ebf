"""What a guard or an effect may look at: one object per fired trigger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ..data.models import Case, Letter, User
from ..data.runtime import Renderer
from ..data.settings import Settings
from ..data.storage import BlobStore
from ..rules.workdays import WorkCalendar


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
