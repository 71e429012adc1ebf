"""Who may see a case and in which capacity they act on it."""

from __future__ import annotations

from .models import Case, User
from .settings import Settings

STAFF_ROLES = ("clerk", "approver")
ROLES = ("homeowner", "clerk", "approver", "admin")


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
