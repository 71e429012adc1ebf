"""Helpers the use cases share: loading the actor and the case, the calendar, settings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
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


def calendar(session: Session) -> WorkCalendar:
    overrides = {day: workday for day, workday in session.execute(_HOLIDAYS)}
    return WorkCalendar(overrides)


def current_settings(session: Session, base: Settings) -> Settings:
    return settings_mod.load(session, base)
