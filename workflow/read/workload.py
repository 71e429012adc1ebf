"""Who has the cases of a desk: a desk's workload for its lead (per person, open cases, due soon,
overdue, done this month), and what queues and the case page show of each case's handler."""

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
from ..process.access import actor_of, case_for, conflicted
from ..process.desks import desk_of, desks_waiting, desks_waiting_in, leads
from ..process.states import STATES
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
        staff = _desk_staff(s, desk)
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


def _desk_staff(s: Any, desk: str) -> list[User]:
    """The active people of a desk: its clerks (the window) or its department's approvers."""
    users = s.scalars(
        select(User)
        .where(User.active.is_(True), User.role.in_(("clerk", "approver")))
        .order_by(User.username)
    )
    return [u for u in users if desk_of(u) == desk]


def _person(u: User) -> dict[str, str]:
    return {"username": u.username, "name": u.name or u.username}


def desk_staff(rt: Runtime, actor: Any) -> dict[str, list[dict[str, str]]]:
    """The people of each desk `actor` leads (every desk for the admin): whom they may assign,
    and whom the admin may name as a desk's lead."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        settings = current_settings(s, rt.settings)
        return {
            d: [_person(u) for u in _desk_staff(s, d)] for d in DESKS if leads(user, d, settings)
        }


def queue_handling(rt: Runtime, actor: Any) -> dict[str, Any]:
    """What a queue shows of who has each case, for this viewer: their desk, the states in which
    a case waits on it, and, for the desk's lead, the people to assign cases to."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        settings = current_settings(s, rt.settings)
        desk = desk_of(user)
        if desk not in DESKS:
            return {
                "desk": None, "waiting": frozenset(), "leads": False, "staff": [], "covering": (),
            }  # fmt: skip
        lead = leads(user, desk, settings)
        return {
            "desk": desk,
            # The absent colleagues whose cases this viewer acts on today (代理).
            "covering": tuple(u.username for u in stood_in_for(s, user.id, rt.clock().date())),
            "waiting": frozenset(
                st.name for st in STATES if desk in desks_waiting_in(st.name, settings)
            ),
            "leads": lead,
            "staff": [_person(u) for u in _desk_staff(s, desk)] if lead else [],
        }


def case_handling(rt: Runtime, actor: Any, case_id: int) -> list[dict[str, Any]]:
    """Who has the case at each desk it waits on, and what this viewer may do there: take it
    (their own desk, nobody has it yet), let it go (it is theirs), or assign it (the desk's
    lead: `staff` lists whom to)."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        settings = current_settings(s, rt.settings)
        own_desk = desk_of(user)
        held = {
            h.desk: h.user
            for h in s.scalars(select(CaseHandler).where(CaseHandler.case_id == case.id))
        }
        out = []
        for desk in desks_waiting(case, settings):
            handler = held.get(desk)
            mine = handler is not None and handler.id == user.id
            lead = leads(user, desk, settings)
            staff = [_person(u) for u in _desk_staff(s, desk) if not conflicted(u, case)]
            out.append(
                {
                    "desk": desk,
                    "label": DESKS[desk][0],
                    "label_en": DESKS[desk][1],
                    "handler": _person(handler) if handler is not None else None,
                    "mine": mine,
                    "may_take": desk == own_desk and handler is None and not conflicted(user, case),
                    "may_release": mine,
                    "staff": staff if lead else [],
                }
            )
        return out
