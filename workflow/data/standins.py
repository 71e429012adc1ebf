"""Stand-ins (代理): whom a staff member stands in for on a day, and how an act done in an absent
colleague's stead is recorded — "李四（代张三）".

It sits with the audit log because the log is where it matters: an event names who acted, and
one done by a stand-in on a case the absent person handles names both, whichever use case wrote
it (a transition, an opinion, a paper vote, a handover).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Absence, CaseHandler, User

STAFF_ROLES = ("clerk", "approver")


def stood_in_for(s: Session, stand_in_id: int, day: date) -> list[User]:
    """The people whose absence covers `day` with `stand_in_id` as their stand-in. Kept for the
    session: a queue page asks three times (the rows' handlers, the filter, the menu)."""
    key = ("stood_in_for", stand_in_id, day)
    if key not in s.info:
        s.info[key] = _stood_in_for(s, stand_in_id, day)
    return list(s.info[key])


def _stood_in_for(s: Session, stand_in_id: int, day: date) -> list[User]:
    return list(
        s.scalars(
            select(User)
            .join(Absence, Absence.user_id == User.id)
            .where(
                Absence.stand_in_id == stand_in_id,
                Absence.starts_on <= day,
                Absence.ends_on >= day,
            )
            .order_by(User.id)
        )
    )


def acting_for(s: Session, actor: User, case_id: int, day: date) -> User | None:
    """The absent colleague in whose stead `actor` acts on this case on `day`: one they stand in
    for who handles the case (a stand-in shares the absent person's desk, so that is the desk
    the act is done at). None when the act is simply the actor's own."""
    if actor.role not in STAFF_ROLES:
        return None
    return s.scalars(
        select(User)
        .join(Absence, Absence.user_id == User.id)
        .join(CaseHandler, CaseHandler.user_id == Absence.user_id)
        .where(
            Absence.stand_in_id == actor.id,
            Absence.starts_on <= day,
            Absence.ends_on >= day,
            CaseHandler.case_id == case_id,
        )
        .order_by(User.id)
        .limit(1)
    ).first()


def display_name(user: User) -> str:
    return user.name or user.username


def on_behalf(actor_name: str, absent_name: str) -> str:
    """ "李四（代张三）": the actor, and whom they stood in for (within the log's 64 characters)."""
    return f"{actor_name[:30]}（代{absent_name[:30]}）"
