"""Helpers the use cases share: loading the actor and the case, the calendar, settings."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from .. import settings as settings_mod
from ..access import can_see
from ..errors import Forbidden, NotAuthenticated, NotFound, msg
from ..models import Case, Holiday, User
from ..rules.workdays import WorkCalendar
from ..settings import Settings

CASE_NOT_FOUND = msg("case_not_found", "未找到该案件。", "No such case.")


def actor_of(session: Session, actor: User | int) -> User:
    user = session.get(User, actor if isinstance(actor, int) else actor.id)
    if user is None or not user.active:
        raise NotAuthenticated(msg("login", "请先登录。", "Please log in."))
    return user


def case_for(
    session: Session, actor: User, case_id: int, options: Sequence[ORMOption] = ()
) -> Case:
    """The case as the actor may see it; others' cases are simply not found. `options` load
    with it what the caller is about to read (one query per collection, not one per row)."""
    # Ids beyond what the databases store are simply unknown (SQLite would overflow).
    case = session.get(Case, case_id, options=options) if 0 < case_id < 2**31 else None
    if case is None or not can_see(actor, case):
        raise NotFound(CASE_NOT_FOUND)
    return case


def require_role(actor: User, *roles: str) -> None:
    if actor.role not in roles:
        raise Forbidden(msg("role", "您的角色无权进行此操作。", "Your role may not do this."))


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
