"""Who has the case: one named handler per desk the case waits on, taken ("由我办理") or
assigned by the desk's lead; saved queue filters."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from ..data import audit
from ..data.config import current_settings
from ..data.models import Case, CaseHandler, SavedView, User
from ..data.runtime import Runtime
from ..data.standins import stood_in_for
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, msg
from ..notify import outbox
from ..process.access import actor_of, case_for, conflicted
from ..process.desks import desk_of, desks_waiting, leads

NOT_WAITING = msg(
    "desk", "本案目前不在您所在岗位办理。", "This case is not waiting on your desk now."
)
TAKEN = msg(
    "handler_taken", "本案已有承办人，请联系负责人改派。", "Someone already handles this case."
)
NOT_LEAD = msg(
    "desk_lead",
    "只有本岗位负责人或管理员可以指派承办人。",
    "Only the desk's lead or the admin assigns handlers.",
)


def _staff(s, username: str) -> User:
    user = s.scalar(select(User).where(User.username == (username or "").strip()))
    if user is None or not user.active or desk_of(user) is None:
        raise NotFound(msg("username", "没有这位工作人员。", "No such staff member."))
    return user


def _current(s, case_id: int, desk: str) -> CaseHandler | None:
    return s.scalar(
        select(CaseHandler).where(CaseHandler.case_id == case_id, CaseHandler.desk == desk)
    )


def _stead(
    by: User, desk: str, settings, away: list[User], row: CaseHandler | None, to: User | None
) -> User | None:
    """The absent colleague in whose stead `by` hands the case over: the desk's lead, when `by`
    assigns as their stand-in, or the case's handler, when `by` lets go of it for them."""
    taking = to is not None and to.id == by.id and row is None
    letting_go = to is None and row is not None and row.user_id == by.id
    if taking or letting_go or leads(by, desk, settings):
        return None  # what anyone of the desk, or the lead in their own right, may do
    lead = settings.desk_leads.get(desk)
    for u in away:
        if u.username == lead:
            return u
    return next((u for u in away if row is not None and row.user_id == u.id), None)


def _hand(
    s, rt: Runtime, settings, by: User, case: Case, desk: str, to: User | None, away: list[User]
):
    """Record the change, in the audit log, and tell the new handler."""
    now = rt.clock()
    row = _current(s, case.id, desk)
    stead = _stead(by, desk, settings, away, row, to)
    before = row.user if row is not None else None
    if (before.id if before else None) == (to.id if to else None):
        return None
    if to is None:
        s.delete(row)
    elif row is None:
        s.add(CaseHandler(case_id=case.id, desk=desk, user_id=to.id, assigned_at=now,
                          assigned_by_id=by.id))  # fmt: skip
    else:
        row.user_id, row.assigned_at, row.assigned_by_id = to.id, now, by.id
    payload = {"desk": desk, "handler": (to.name or to.username) if to else ""}
    if before is not None:
        payload["previous"] = before.name or before.username
    audit.append(
        s, kind="handler", at=now, actor=by, case=case, payload=payload, on_behalf_of=stead
    )
    if to is not None and to.id != by.id:
        return outbox.handed_over(s, case, to, settings, now, by=by.name or by.username).id
    return None


def set_handler(rt: Runtime, actor: User | int, case_id: int, username: str | None) -> None:
    """`username` handles the case at their desk (or, None, the actor's desk lets it go).

    Anyone of the desk may take an unassigned case for themselves and let go of their own;
    the desk's lead or the admin assigns and reassigns."""
    messages = []
    with rt.db.transaction() as s:
        by = actor_of(s, actor)
        settings = current_settings(s, rt.settings)
        case = case_for(s, by, case_id)
        to = _staff(s, username) if username is not None else None
        desk = desk_of(to) if to is not None else desk_of(by)
        if desk is None:
            raise Forbidden(NOT_LEAD)
        if desk not in desks_waiting(case, settings):
            raise Conflict(NOT_WAITING)
        if to is not None and conflicted(to, case):
            raise Forbidden(
                msg(
                    "conflict", "此人与本案有利害关系，不能承办。", "That person may not handle it."
                )
            )
        row = _current(s, case.id, desk)
        # While a colleague is away, their stand-in acts for them: on their cases, and, for
        # the desk's lead, in assigning the desk's cases.
        away = stood_in_for(s, by.id, rt.clock().date())
        if not leads(by, desk, settings, away):
            own = row is not None and row.user_id in {by.id, *(u.id for u in away)}
            taking = to is not None and to.id == by.id and row is None
            if not (taking or (to is None and own)):
                raise Forbidden(TAKEN if to is not None and to.id == by.id else NOT_LEAD)
        mid = _hand(s, rt, settings, by, case, desk, to, away)
        if mid:
            messages.append(mid)
    outbox.queued(rt, messages)


def assign_many(rt: Runtime, actor: User | int, case_ids: Iterable[int], username: str) -> int:
    """The desk's lead hands several cases to one person at once; returns how many changed
    hands (cases not waiting on that person's desk are left as they were)."""
    messages = []
    with rt.db.transaction() as s:
        by = actor_of(s, actor)
        settings = current_settings(s, rt.settings)
        to = _staff(s, username)
        desk = desk_of(to)
        away = stood_in_for(s, by.id, rt.clock().date())
        if not leads(by, desk, settings, away):
            raise Forbidden(NOT_LEAD)
        changed = 0
        for case_id in sorted(set(case_ids))[:500]:
            case = case_for(s, by, case_id)
            if desk in desks_waiting(case, settings) and not conflicted(to, case):
                mid = _hand(s, rt, settings, by, case, desk, to, away)
                changed += 1 if _current(s, case.id, desk).user_id == to.id else 0
                if mid:
                    messages.append(mid)
    outbox.queued(rt, messages)
    return changed


# — saved views ——————————————————————————————————————————————————————————————————————————————


def save_view(rt: Runtime, actor: User | int, name: str, endpoint: str, query: str) -> int:
    name = (name or "").strip()[:40]
    if not name:
        raise InvalidInput(msg("name", "请给这个筛选起个名字。", "Name the filter."))
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        if desk_of(user) is None:
            raise Forbidden(NOT_LEAD)
        row = s.scalar(
            select(SavedView).where(SavedView.user_id == user.id, SavedView.name == name)
        )
        if row is None:
            row = SavedView(user_id=user.id, name=name, endpoint=endpoint, query=query[:500])
            s.add(row)
        else:
            row.endpoint, row.query = endpoint, query[:500]
        s.flush()
        return row.id


def delete_view(rt: Runtime, actor: User | int, view_id: int) -> None:
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        s.execute(delete(SavedView).where(SavedView.id == view_id, SavedView.user_id == user.id))


def saved_views(rt: Runtime, actor: User | int) -> list[dict[str, str | int]]:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        rows = s.scalars(
            select(SavedView).where(SavedView.user_id == user.id).order_by(SavedView.name)
        )
        return [
            {"id": v.id, "name": v.name, "endpoint": v.endpoint, "query": v.query} for v in rows
        ]
