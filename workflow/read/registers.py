"""Read side for the staff's and the admin's lists: the letters register, accounts, the
communities' and streets' filters, the holiday calendar, and an approver's own to-do in the
review queue."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from ..data.models import Case, Holiday, Letter, Opinion, User
from ..data.runtime import Runtime
from ..process.access import actor_of, require_role
from ..process.states import states_tagged


def letters_issued(
    rt: Runtime, actor: Any, start: date, end: date, *, limit: int = 500
) -> list[dict[str, Any]]:
    """The letters issued from `start` to `end` inclusive (the clerk's register for printing)."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "clerk", "approver")
        # The columns the register shows, the title read out of each letter's context by the
        # database: not the whole context (owners, facts) of a hundred letters a day.
        rows = s.execute(
            select(
                Letter.id,
                Letter.case_id,
                Letter.kind,
                Letter.data["title"].as_string(),
                Letter.number,
                Letter.addressee,
                Letter.issued_at,
                Case.reference,
                Case.community,
            )  # fmt: skip
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
                "id": letter_id,
                "case_id": case_id,
                "reference": ref,
                "community": community,
                "kind": kind,
                "title": title or "",
                "number": number,
                "addressee": addressee,
                "issued_at": issued_at.isoformat(timespec="minutes"),
            }
            for letter_id, case_id, kind, title, number, addressee, issued_at, ref, community in rows
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


def communities(rt: Runtime) -> list[str]:
    """Every community with a case, for the queues' filter."""
    with rt.db.session() as s:
        return distinct_values(s, Case.community)


def streets(rt: Runtime) -> list[str]:
    """Every 街道 with a case, for the queues' filter."""
    with rt.db.session() as s:
        return distinct_values(s, Case.street)


_walks: dict[str, Any] = {}


def distinct_values(s: Any, column: Any) -> list[Any]:
    """Each value of an indexed column of the cases once (NULL left out), in order, by one
    probe per value (a loose index scan on an index led by the column): `SELECT DISTINCT` read
    all 100,000 cases' index entries (10 ms on SQLite, 40–90 ms on PostgreSQL, on every queue
    page the log had moved since); this takes 0.1–1 ms for fifty values, so nothing is kept."""
    statement = _walks.get(column.key)
    if statement is None:
        walk = select(func.min(column).label("value")).cte("walk", recursive=True)
        following = select(func.min(column)).where(column > walk.c.value)
        walk = walk.union_all(
            select(following.scalar_subquery()).select_from(walk).where(walk.c.value.is_not(None))
        )
        statement = select(walk.c.value).where(walk.c.value.is_not(None)).order_by(walk.c.value)
        _walks[column.key] = statement  # built once: it has no parameters
    return list(s.scalars(statement))


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
        # One query: the listed cases in joint review with no opinion of the department in
        # their current round.
        given = (
            select(Opinion.id)
            .where(
                Opinion.case_id == Case.id,
                Opinion.review_round == Case.review_round,
                Opinion.department == user.department,
            )
            .exists()
        )
        return set(
            s.scalars(
                select(Case.id).where(
                    Case.id.in_(case_ids), Case.state.in_(states_tagged("opinions")), ~given
                )
            )
        )
