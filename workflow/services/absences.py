"""Stand-ins (代理): a staff member records an absence and names a colleague of the same desk and
role; while it lasts, the colleague sees and acts on the absent person's cases, and every act is
recorded as done in their stead ("李四（代张三）", `data.standins`).

Nobody stands in for themselves, and there are no chains: a stand-in is not away themselves
during the absence, and someone standing in for another is not away with a stand-in of their
own at the same time (a case would otherwise pass from hand to hand with nobody answerable).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ..data import audit
from ..data.config import current_settings
from ..data.models import Absence, User
from ..data.runtime import Runtime
from ..data.standins import display_name
from ..errors import Forbidden, GuardsFailed, InvalidInput, Message, msg
from ..notify import outbox
from ..process.access import actor_of
from ..process.desks import desk_of

# An absence is planned leave, not a new post: one longer than this is a reassignment.
LONGEST = timedelta(days=366)

STAFF_ONLY = msg(
    "role",
    "只有窗口工作人员和审批人员可以登记请假代理。",
    "Only clerks and approvers record absences with a stand-in.",
)


def _staff(s: Any, actor: User | int) -> User:
    user = actor_of(s, actor)
    if desk_of(user) is None:
        raise Forbidden(STAFF_ONLY)
    return user


def _day(value: Any, field: str, label: str, label_en: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(
            msg(field, f"请填写{label}（年-月-日）。", f"Give the {label_en} as YYYY-MM-DD.")
        ) from None


def _period(start: date, end: date) -> str:
    return f"{start.isoformat()} 至 {end.isoformat()}"


def _as_dict(a: Absence, today: date) -> dict[str, Any]:
    return {
        "from": a.starts_on.isoformat(),
        "to": a.ends_on.isoformat(),
        "stand_in": {"username": a.stand_in.username, "name": display_name(a.stand_in)},
        "current": a.starts_on <= today <= a.ends_on,
    }


def _overlapping(start: date, end: date):
    return (Absence.starts_on <= end, Absence.ends_on >= start)


def eligible(s: Any, user: User) -> list[User]:
    """Who may stand in for `user`: active colleagues of the same role at the same desk."""
    desk = desk_of(user)
    if desk is None:
        return []
    same_role = s.scalars(
        select(User)
        .where(User.role == user.role, User.active.is_(True), User.id != user.id)
        .order_by(User.username)
    )
    return [u for u in same_role if desk_of(u) == desk]


def _problems(
    s: Any, user: User, stand_in: User | None, start: date, end: date, today: date
) -> list[Message]:
    """Every reason the absence cannot be recorded as asked."""
    problems = []
    if end < start:
        problems.append(
            msg("to", "结束日期不能早于开始日期。", "The absence ends before it begins.")
        )
    elif end < today:
        problems.append(
            msg("to", "这段时间已经过去，无需登记代理。", "That period is already over.")
        )
    elif end - start >= LONGEST or end - today >= LONGEST:
        problems.append(
            msg(
                "to",
                "请假代理最长一年，且须在一年之内结束；更长的请由负责人改派案件。",
                "An absence lasts at most a year and ends within one; reassign cases instead.",
            )
        )
    if stand_in is None:
        problems.append(msg("stand_in", "没有这位在岗的工作人员。", "No such active staff member."))
        return problems
    if stand_in.id == user.id:
        problems.append(
            msg("stand_in", "不能指定自己为代理人。", "You cannot stand in for yourself.")
        )
        return problems
    if stand_in.role != user.role or desk_of(stand_in) != desk_of(user):
        problems.append(
            msg(
                "stand_in",
                "代理人须与您同一岗位、同一角色（窗口人员代窗口人员，审批人员代本部门审批人员）。",
                "The stand-in must work at your desk in your role.",
            )
        )
        return problems
    if end < start:
        return problems
    away = s.scalar(
        select(Absence).where(Absence.user_id == stand_in.id, *_overlapping(start, end))
    )
    if away is not None:
        problems.append(
            msg(
                "stand_in",
                f"{display_name(stand_in)}在{_period(away.starts_on, away.ends_on)}也请假，"
                "不能担任您的代理人（代理人不能再由他人代理）。",
                "Your stand-in is away during that period themselves (no chains of stand-ins).",
            )
        )
    covering = s.scalar(
        select(Absence).where(Absence.stand_in_id == user.id, *_overlapping(start, end))
    )
    if covering is not None:
        problems.append(
            msg(
                "from",
                f"您在{_period(covering.starts_on, covering.ends_on)}代理"
                f"{display_name(covering.user)}的工作，这段时间不能再请他人代理"
                "（代理不能层层转交）。",
                "You stand in for a colleague during that period (no chains of stand-ins).",
            )
        )
    return problems


def set_absence(
    rt: Runtime, actor: User | int, starts_on: Any, ends_on: Any, stand_in: str
) -> dict[str, Any]:
    """Record (or replace) the actor's absence from `starts_on` to `ends_on`, both inclusive,
    with the colleague `stand_in` (a username) acting for them; the stand-in is told."""
    start = _day(starts_on, "from", "开始日期", "first day")
    end = _day(ends_on, "to", "结束日期", "last day")
    with rt.db.transaction() as s:
        user = _staff(s, actor)
        other = s.scalar(select(User).where(User.username == str(stand_in or "").strip()))
        if other is not None and not other.active:
            other = None
        # Two absences recorded at once must not make a chain: whoever records one holds the
        # rows of both people until it commits (PostgreSQL; SQLite writes one at a time).
        both = sorted({user.id, *([other.id] if other is not None else [])})
        s.execute(select(User.id).where(User.id.in_(both)).order_by(User.id).with_for_update())
        now = rt.clock()
        problems = _problems(s, user, other, start, end, now.date())
        if problems:
            raise GuardsFailed(*problems)
        settings = current_settings(s, rt.settings)
        row = s.scalar(select(Absence).where(Absence.user_id == user.id))
        # A stand-in replaced while the absence they covered still runs is told it is over.
        before = row.stand_in if row is not None and row.ends_on >= now.date() else None
        if row is None:
            row = Absence(user_id=user.id, starts_on=start, ends_on=end, stand_in_id=other.id)
            s.add(row)
        else:
            row.starts_on, row.ends_on, row.stand_in_id = start, end, other.id
        s.flush()
        s.refresh(row)
        payload = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "stand_in": display_name(other),
        }
        if before is not None and before.id != other.id:
            payload["previous"] = display_name(before)
        audit.append(s, kind="absence_set", at=now, actor=user, payload=payload)
        name = display_name(user)
        messages = []
        if before is not None and before.id != other.id and before.active:
            messages.append(outbox.stand_in_ended(s, before, name, settings, now))
        messages.append(outbox.stand_in_named(s, other, name, _period(start, end), settings, now))
        s.flush()
        ids = [m.id for m in messages if m.status == "pending"]
        answer = _as_dict(row, now.date())
    outbox.queued(rt, ids)
    return answer


def clear_absence(rt: Runtime, actor: User | int) -> bool:
    """Withdraw the actor's absence (back early, or the leave cancelled); the stand-in is told
    if it had not yet ended. False if there was none."""
    with rt.db.transaction() as s:
        user = _staff(s, actor)
        row = s.scalar(select(Absence).where(Absence.user_id == user.id))
        if row is None:
            return False
        now = rt.clock()
        stand_in, ended = row.stand_in, row.ends_on < now.date()
        audit.append(
            s,
            kind="absence_cleared",
            at=now,
            actor=user,
            payload={
                "from": row.starts_on.isoformat(),
                "to": row.ends_on.isoformat(),
                "stand_in": display_name(stand_in),
            },
        )
        s.delete(row)
        message = None
        if not ended and stand_in.active:
            settings = current_settings(s, rt.settings)
            message = outbox.stand_in_ended(s, stand_in, display_name(user), settings, now)
        s.flush()
        ids = [message.id] if message is not None and message.status == "pending" else []
    outbox.queued(rt, ids)
    return True


def my_absence(rt: Runtime, actor: User | int) -> dict[str, Any] | None:
    """The actor's absence now or to come (one already over is no longer of interest)."""
    with rt.db.session() as s:
        user = _staff(s, actor)
        today = rt.clock().date()
        row = s.scalar(select(Absence).where(Absence.user_id == user.id, Absence.ends_on >= today))
        return _as_dict(row, today) if row is not None else None


def standing_in(rt: Runtime, actor: User | int) -> list[dict[str, Any]]:
    """The colleagues the actor stands in for, now or to come, soonest first."""
    with rt.db.session() as s:
        user = _staff(s, actor)
        today = rt.clock().date()
        rows = s.scalars(
            select(Absence)
            .where(Absence.stand_in_id == user.id, Absence.ends_on >= today)
            .order_by(Absence.starts_on, Absence.id)
        )
        return [
            {
                "from": a.starts_on.isoformat(),
                "to": a.ends_on.isoformat(),
                "username": a.user.username,
                "name": display_name(a.user),
                "current": a.starts_on <= today <= a.ends_on,
            }
            for a in rows
        ]


def stand_in_choices(rt: Runtime, actor: User | int) -> list[dict[str, str]]:
    """Whom the actor may name as stand-in: active colleagues at the same desk and role."""
    with rt.db.session() as s:
        user = _staff(s, actor)
        return [{"username": u.username, "name": display_name(u)} for u in eligible(s, user)]
