"""Who may see a case and in which capacity they act on it; loading the actor and the case
as that actor may see them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session
from sqlalchemy.orm.interfaces import ORMOption

from ..data.models import Case, User
from ..data.settings import Settings
from ..errors import Forbidden, NotAuthenticated, NotFound, msg

STAFF_ROLES = ("clerk", "approver")
# A mediator (调解员) works on referred objections only, never on a case's triggers.
ROLES = ("homeowner", "clerk", "approver", "admin", "mediator")


def conflicted(actor: User, case: Case) -> bool:
    """Separation of duties: staff never act on a case they applied for or own a flat in."""
    if actor.role not in STAFF_ROLES:
        return False
    if case.applicant_id == actor.id:
        return True
    return bool(actor.phone) and any(h.phone == actor.phone for h in case.households)


def case_roles(actor: User, case: Case, settings: Settings) -> frozenset[str]:
    """The capacities named in the machine declaration that `actor` holds on `case`."""
    if not actor.active or actor.role == "admin":  # an admin account fires no case trigger
        return frozenset()
    roles: set[str] = set()
    if case.applicant_id == actor.id:
        roles.add("applicant")
    if actor.role in STAFF_ROLES and not conflicted(actor, case):
        if actor.role == "clerk":
            roles.add("clerk")
        else:
            roles.add("approver")
            if actor.department == settings.lead_department:
                roles.add("lead_approver")
    return frozenset(roles)


def can_see(actor: User, case: Case) -> bool:
    if not actor.active:
        return False
    return case.applicant_id == actor.id or actor.role in (*STAFF_ROLES, "admin")


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


LETTER_NOT_FOUND = msg("letter_not_found", "未找到该文书。", "No such letter.")


def may_read_letters(user: User, case: Case) -> bool:
    # Letters go to the case's applicant and to staff, no one else (not even an admin).
    return case.applicant_id == user.id or user.is_staff
