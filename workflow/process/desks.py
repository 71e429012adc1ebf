"""Desks: where a case waits on staff — the window (clerks) or a department (its approvers) —
read from the states' tags, and who belongs to each."""

from __future__ import annotations

from collections.abc import Iterable

from ..data.models import Case, User
from ..data.settings import Settings
from .states import STATE

WINDOW = "window"


def desk_of(user: User) -> str | None:
    """The desk a staff member works at: the window for clerks, their department for approvers."""
    if user.role == "clerk":
        return WINDOW
    if user.role == "approver":
        return user.department
    return None


def desks_waiting(case: Case, settings: Settings) -> tuple[str, ...]:
    """The desks this case waits on now: the window, or the departments whose opinion (or, for
    the subsidy, the lead department's decision) is awaited."""
    return desks_waiting_in(case.state, settings)


def desks_waiting_in(state: str, settings: Settings) -> tuple[str, ...]:
    """The desks a case in `state` waits on (see `desks_waiting`); queues read it per row."""
    tags = STATE[state].tags
    if "window" in tags:
        return (WINDOW,)
    if "opinions" in tags:
        return tuple(settings.required_departments)
    if "review" in tags:
        return (settings.lead_department,)
    return ()


def leads(user: User, desk: str, settings: Settings, standing_in_for: Iterable[User] = ()) -> bool:
    """Whether `user` assigns the desk's cases: its lead (a setting per desk), the lead's
    stand-in while the lead is away (`standing_in_for`: whom `user` stands in for today, see
    `data.standins`), or the admin."""
    if not user.active:
        return False
    if user.role == "admin":
        return True
    lead = settings.desk_leads.get(desk)
    return lead is not None and (
        lead == user.username or any(u.username == lead for u in standing_in_for)
    )
