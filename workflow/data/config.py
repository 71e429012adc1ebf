"""The admin's settings and holiday calendar as every request and transition reads them: one
cache per process, keyed by the database, refreshed within `CONFIG_TTL` seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..rules.workdays import WorkCalendar
from . import settings as settings_mod
from .models import Holiday
from .settings import Settings

_HOLIDAYS = select(Holiday.day, Holiday.workday)

# The admin's settings and holidays change a few times a year and are read by every request and
# every transition: each process keeps what it read for a few seconds. A change made through
# this process is seen at once (`forget_configuration`); other workers and hosts see it within
# CONFIG_TTL seconds. Keyed by the database's URL; an in-memory SQLite database is never kept.
CONFIG_TTL = 5.0
_KEPT: dict[tuple[str, str], tuple[float, Any, Any]] = {}
_kept_lock = threading.Lock()


def _database_key(bind: Session | Engine) -> str | None:
    engine = bind.get_bind().engine if isinstance(bind, Session) else bind
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _kept(session: Session, what: str, base: Any, make: Callable[[], Any]) -> Any:
    db = _database_key(session)
    if db is None:
        return make()
    now = time.monotonic()
    hit = _KEPT.get((db, what))
    if hit is not None and hit[0] > now and hit[1] is base:
        return hit[2]
    value = make()
    with _kept_lock:
        _KEPT[(db, what)] = (now + CONFIG_TTL, base, value)
    return value


def forget_configuration(engine: Engine) -> None:
    """After an admin's change: this process reads settings and holidays afresh."""
    db = _database_key(engine)
    with _kept_lock:
        for key in [k for k in _KEPT if k[0] == db]:
            del _KEPT[key]


def calendar(session: Session) -> WorkCalendar:
    def make() -> WorkCalendar:
        return WorkCalendar({day: workday for day, workday in session.execute(_HOLIDAYS)})

    return _kept(session, "calendar", None, make)


def current_settings(session: Session, base: Settings) -> Settings:
    return _kept(session, "settings", base, lambda: settings_mod.load(session, base))
