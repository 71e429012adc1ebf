"""A desk's workload, for its lead: per person, open cases, due soon, overdue, done this month."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..data.config import calendar, current_settings
from ..data.models import Case, CaseHandler, Event, User
from ..data.runtime import Runtime
from ..data.settings import DESKS
from ..data.standins import stood_in_for
from ..errors import Forbidden, msg
from ..process.access import actor_of
from ..process.desks import desk_of, desks_waiting, leads
from .cases import deadline_of


def lead_desks(rt: Runtime, actor: Any) -> list[str]:
    """The desks whose workload `actor` may see: those they lead (every desk for the admin)."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        settings = current_settings(s, rt.settings)
        away = stood_in_for(s, user.id, rt.clock().date())
        return [d for d in DESKS if leads(user, d, settings, away)]


def workload(rt: Runtime, actor: Any, desk: str) -> dict[str, Any]:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        settings = current_settings(s, rt.settings)
        away = stood_in_for(s, user.id, rt.clock().date())
        if desk not in DESKS or not leads(user, desk, settings, away):
            raise Forbidden(
                msg("desk_lead", "只有本岗位负责人或管理员可以查看。", "For the desk's lead only.")
            )
        now = rt.clock()
        today = now.date()
        month = datetime(now.year, now.month, 1)
        cal = calendar(s)
        staff = [
            u
            for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
            if desk_of(u) == desk
        ]
        done = dict(
            s.execute(
                select(Event.actor_id, func.count())
                .where(Event.at >= month, Event.from_state.is_not(None), Event.case_id.is_not(None))
                .group_by(Event.actor_id)
            ).all()
        )
        rows = []
        for u in staff:
            cases = s.scalars(
                select(Case)
                .join(CaseHandler, CaseHandler.case_id == Case.id)
                .where(CaseHandler.user_id == u.id, CaseHandler.desk == desk)
            )
            open_, soon, overdue = 0, 0, 0
            for c in cases:
                if desk not in desks_waiting(c, settings):
                    continue
                open_ += 1
                dl = deadline_of(c, cal, today)
                if dl and dl.overdue:
                    overdue += 1
                elif dl and dl.workdays_left <= 2:
                    soon += 1
            rows.append(
                {
                    "username": u.username,
                    "name": u.name or u.username,
                    "open": open_,
                    "due_soon": soon,
                    "overdue": overdue,
                    "done_this_month": done.get(u.id, 0),
                }
            )
        return {"desk": desk, "desk_label": DESKS[desk][0], "rows": rows}
