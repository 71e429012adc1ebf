"""Settings and the holiday calendar, changed by an admin."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from .. import inputs
from ..data import audit
from ..data import settings as settings_mod
from ..data.config import current_settings, forget_configuration
from ..data.models import Holiday, User
from ..data.runtime import Runtime
from ..data.settings import DESKS, Settings
from ..errors import InvalidInput, msg
from ..process.access import actor_of, require_role
from ..process.desks import desk_of


def effective_settings(rt: Runtime) -> Settings:
    with rt.db.session() as s:
        return current_settings(s, rt.settings)


def change_settings(rt: Runtime, actor: User | int, changes: Mapping[str, Any]) -> Settings:
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        if "desk_leads" in changes:
            before = current_settings(s, rt.settings).desk_leads
            _check_leads(s, changes["desk_leads"], before)
        stored = settings_mod.save(s, dict(changes), rt.settings)
        audit.append(
            s, kind="settings_changed", at=rt.clock(), actor=admin, role="admin", payload=stored
        )
        s.flush()
        changed = settings_mod.load(s, rt.settings)
    forget_configuration(rt.db.engine)  # once committed: this process reads them afresh
    return changed


def _check_leads(s, leads: Any, before: Mapping[str, str]) -> None:
    """A desk's new lead is an active member of that desk: a clerk for the window, an approver
    of the department for a department (a blank leaves the desk to the admin). Leads kept as
    they were are not checked again, so other settings can still be saved."""
    problems = []
    for desk, username in dict(leads or {}).items():
        username = str(username or "").strip()
        if desk not in DESKS or not username or before.get(desk) == username:
            continue
        user = s.scalar(select(User).where(User.username == username))
        if user is None or not user.active or desk_of(user) != desk:
            zh, en = DESKS[desk]
            problems.append(
                msg(
                    f"desk_leads.{desk}",
                    f"“{username}”不是{zh}在岗的工作人员，不能担任{zh}负责人。",
                    f"{username} is not an active member of the {en} desk, so cannot lead it.",
                )
            )
    if problems:
        raise InvalidInput(*problems)


def set_holiday(
    rt: Runtime, actor: User | int | None, day: date, *, workday: bool, name: str = ""
) -> None:
    """Enter a holiday (or a make-up working day, 调休) for a year chinese_calendar lacks."""
    if not isinstance(day, date):
        raise InvalidInput(msg("day", "日期无效。", "Invalid date."))
    inputs.day(day, field="holiday", label="日期", today=rt.clock().date())
    name = inputs.text(name or "", field="name", label="名称", max_length=64)
    with rt.db.transaction() as s:
        admin = None
        if actor is not None:
            admin = actor_of(s, actor)
            require_role(admin, "admin")
        row = s.get(Holiday, day) or Holiday(day=day)
        row.workday, row.name = workday, (name or "").strip()[:64]
        s.add(row)
        audit.append(
            s,
            kind="holiday_set",
            at=rt.clock(),
            actor=admin,
            role="admin",
            payload={"day": day.isoformat(), "workday": workday, "name": row.name},
        )
    forget_configuration(rt.db.engine)


def remove_holiday(rt: Runtime, actor: User | int, day: date) -> None:
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        row = s.get(Holiday, day)
        if row is not None:
            s.delete(row)
            audit.append(
                s,
                kind="holiday_removed",
                at=rt.clock(),
                actor=admin,
                role="admin",
                payload={"day": day.isoformat()},
            )
    forget_configuration(rt.db.engine)
