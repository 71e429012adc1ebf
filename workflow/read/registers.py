"""Read side for the staff's and the admin's lists: the letters register, accounts, the
communities' and streets' filters, the holiday calendar, and an approver's own to-do in the
review queue."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from ..data.models import Case, Holiday, Letter, Opinion, User
from ..data.runtime import Runtime
from ..process.access import actor_of, require_role
from ..process.states import states_tagged
from .cases import log_position


def letters_issued(
    rt: Runtime, actor: Any, start: date, end: date, *, limit: int = 500
) -> list[dict[str, Any]]:
    """The letters issued from `start` to `end` inclusive (the clerk's register for printing)."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "clerk", "approver")
        rows = s.execute(
            select(Letter, Case.reference, Case.community)
            .join(Case, Letter.case_id == Case.id)
            .where(
                Letter.issued_at >= datetime.combine(start, time.min),
                Letter.issued_at < datetime.combine(end + timedelta(days=1), time.min),
            )
            .order_by(Letter.issued_at, Letter.id)
            .limit(limit)
        ).all()
        return [
            {
                "id": x.id,
                "case_id": x.case_id,
                "reference": ref,
                "community": community,
                "kind": x.kind,
                "title": (x.data or {}).get("title", ""),
                "number": x.number,
                "addressee": x.addressee,
                "issued_at": x.issued_at.isoformat(timespec="minutes"),
            }
            for x, ref, community in rows
        ]


def accounts(rt: Runtime, actor: Any) -> list[dict[str, Any]]:
    """Staff and admin accounts for the admin's user list (homeowners register themselves)."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "admin")
        users = s.scalars(
            select(User).where(User.role != "homeowner").order_by(User.role, User.username)
        )
        return [
            {
                "id": u.id,
                "username": u.username,
                "name": u.name,
                "role": u.role,
                "department": u.department,
                "active": u.active,
                "oidc_subject": u.oidc_subject,
                "street": u.street,
            }
            for u in users
        ]


_communities: dict[tuple[str, int], tuple[int | None, list[str]]] = {}


def communities(rt: Runtime) -> list[str]:
    """Every community with a case, for the queues' filter; kept until the audit log grows
    (a new case appends an event), since reading every case's community on each queue page
    cost more than the page itself at 100,000 cases."""
    with rt.db.session() as s:
        position = log_position(s)
        hit = _communities.get((rt.db.url, id(rt.db)))
        if hit is not None and hit[0] == position:
            return list(hit[1])
        names = list(s.scalars(select(Case.community).distinct().order_by(Case.community)))
        _communities[(rt.db.url, id(rt.db))] = (position, names)
        return list(names)


_streets: dict[tuple[str, int], tuple[int | None, list[str]]] = {}


def streets(rt: Runtime) -> list[str]:
    """Every 街道 with a case, for the queues' filter; kept like `communities`."""
    with rt.db.session() as s:
        position = log_position(s)
        hit = _streets.get((rt.db.url, id(rt.db)))
        if hit is not None and hit[0] == position:
            return list(hit[1])
        names = list(
            s.scalars(
                select(Case.street).where(Case.street.is_not(None)).distinct().order_by(Case.street)
            )
        )
        _streets[(rt.db.url, id(rt.db))] = (position, names)
        return list(names)


def holiday_rows(rt: Runtime) -> list[dict[str, Any]]:
    """The admin-entered calendar as plain rows (safe to read after the session closes)."""
    with rt.db.session() as s:
        return [
            {"day": h.day, "workday": h.workday, "name": h.name}
            for h in s.scalars(select(Holiday).order_by(Holiday.day))
        ]


def awaiting_department(rt: Runtime, actor: Any, case_ids: list[int]) -> set[int]:
    """Of these cases, those in joint review whose current round still lacks the opinion of
    the actor's department (the approver's own to-do within the review queue)."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        require_role(user, "approver")
        if not case_ids or not user.department:
            return set()
        rows = s.execute(
            select(Case.id, Case.review_round).where(
                Case.id.in_(case_ids), Case.state.in_(states_tagged("opinions"))
            )
        ).all()
        given = set(
            s.execute(
                select(Opinion.case_id, Opinion.review_round).where(
                    Opinion.case_id.in_(case_ids), Opinion.department == user.department
                )
            ).all()
        )
        return {cid for cid, rnd in rows if (cid, rnd) not in given}
