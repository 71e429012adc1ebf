"""Legal clocks: suspension while the case waits on the applicant, the one extension of the
review, and the daily check of cases due soon or overdue (DESIGN §3.4).

行政许可法第四十五条: time the applicant takes to supply missing materials does not count
towards the deadline. So a correction request stops the running clock and records how many
working days it had left; when the case comes back to the same desk, the clock resumes with
those days instead of starting afresh. Which clock runs in which state is the declaration's
(`State.deadline` in `workflow.machine`): `acceptance_due` is the acceptance clock,
`review_due` the review clock.

Working days are counted by `workflow.rules.workdays`; nothing here counts days itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select

from ..data.config import calendar, current_settings
from ..data.models import Case, ClockPause, DeadlineFlag
from . import states

if TYPE_CHECKING:
    from ..data.runtime import Runtime
    from .context import Context

DUE_SOON_WORKDAYS = 2  # a case this close to its deadline is flagged to those who must act

CLOCK_LABELS = {
    "acceptance": ("受理期限", "acceptance deadline"),
    "review": ("审查期限", "review deadline"),
}


def clock_of(state: str) -> str | None:
    """The clock running in `state` ("acceptance", "review"), or None."""
    attr = states.STATE[state].deadline
    return attr.removesuffix("_due") if attr else None


def _open_pause(case: Case, clock: str) -> ClockPause | None:
    return next((p for p in reversed(case.open_pauses) if p.clock == clock), None)


# — effects: called by workflow.effects inside the transition's transaction ——————————


def suspend(ctx: Context) -> None:
    """Stop the clock of the state the case leaves and keep the working days it had left."""
    clock = clock_of(ctx.params["_from_state"])
    due = getattr(ctx.case, f"{clock}_due") if clock else None
    if clock is None or due is None:
        return
    today = ctx.now.date()
    # A clock already overdue resumes with nothing left: the desk acts on the day it returns.
    left = max(ctx.calendar.workdays_between(today, due), 0)
    pause = ClockPause(
        case_id=ctx.case.id,
        clock=clock,
        paused_at=ctx.now,
        due_when_paused=due,
        workdays_left=left,
    )
    ctx.attach("pauses", pause)
    ctx.params["clock_paused"] = {"clock": clock, "due": due.isoformat(), "workdays_left": left}


def resume(ctx: Context, clock: str, fresh_workdays: int) -> date:
    """The new deadline of `clock`: the days a pause kept, else a fresh `fresh_workdays`."""
    pause = _open_pause(ctx.case, clock)
    days = fresh_workdays if pause is None else pause.workdays_left
    deadline = ctx.calendar.add_workdays(ctx.now.date(), days)
    ctx.case.deadline_estimated = deadline.estimated
    if pause is not None:
        pause.resumed_at = ctx.now
        pause.due_when_resumed = deadline.due
        ctx.params["clock_resumed"] = {
            "clock": clock,
            "due": deadline.due.isoformat(),
            "workdays_left": days,
        }
    return deadline.due


def extend_review(ctx: Context) -> None:
    """Move the review deadline by the granted working days (once per case)."""
    days = ctx.params["days"]
    old = ctx.case.review_due
    deadline = ctx.calendar.add_workdays(old, days)
    ctx.case.review_due = deadline.due
    ctx.case.review_extended_days = days
    ctx.case.deadline_estimated = ctx.case.deadline_estimated or deadline.estimated
    ctx.params["review_due"] = {"from": old.isoformat(), "to": deadline.due.isoformat()}


# — the pauses, for the stepper and the public progress page ——————————————————————————


def pauses_of(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "clock": p.clock,
            "label": CLOCK_LABELS[p.clock][0],
            "label_en": CLOCK_LABELS[p.clock][1],
            "paused_on": p.paused_at.date().isoformat(),
            "resumed_on": p.resumed_at.date().isoformat() if p.resumed_at else None,
            "workdays_left": p.workdays_left,
            "due_when_resumed": p.due_when_resumed.isoformat() if p.due_when_resumed else None,
        }
        for p in case.pauses
    ]


# — the daily check ——————————————————————————————————————————————————————————————————————


@dataclass(frozen=True)
class DueFlag:
    case_id: int
    reference: str
    state: str
    kind: str  # due_soon, overdue
    due: date
    workdays_left: int  # negative: overdue by that many working days
    who: tuple[str, ...]  # "clerk", "approver:planning", "lead_approver"
    new: bool  # first flagged today; a second run of the same day finds it already recorded

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["due"] = self.due.isoformat()
        d["who"] = list(self.who)
        return d


class DeadlineNotifier(Protocol):
    """Whoever tells the people who must act (an SMS or inbox sender, later)."""

    def deadline_flagged(self, flag: DueFlag) -> None: ...


def who_must_act(case: Case, lead_department: str, required: Iterable[str]) -> tuple[str, ...]:
    """The desks a deadline waits on: the window, or the departments still owing an opinion
    and the lead approver who decides."""
    if "window" in states.STATE[case.state].tags:
        return ("clerk",)
    given = {o.department for o in case.opinions if o.review_round == case.review_round}
    missing = [f"approver:{d}" for d in required if d not in given]
    return (*missing, f"lead_approver:{lead_department}")


def flag_due_cases(
    rt: Runtime, today: date | None = None, notifier: DeadlineNotifier | None = None
) -> list[DueFlag]:
    """Flag the cases due within two working days or overdue, once per case and day.

    A job to run daily; running it twice the same day records and notifies nothing twice.
    The notifier, when given, hears only of the flags new today.
    """
    clocked = [s.name for s in states.STATES if s.deadline]
    with rt.db.transaction() as s:
        today = today or rt.clock().date()
        settings = current_settings(s, rt.settings)
        cal = calendar(s)
        seen = {
            f.case_id: f for f in s.scalars(select(DeadlineFlag).where(DeadlineFlag.day == today))
        }
        out: list[DueFlag] = []
        for case in s.scalars(select(Case).where(Case.state.in_(clocked)).order_by(Case.id)):
            due = getattr(case, states.STATE[case.state].deadline)
            if due is None:
                continue
            left = cal.workdays_between(today, due)
            if left > DUE_SOON_WORKDAYS:
                continue
            kind = "overdue" if left < 0 else "due_soon"
            who = who_must_act(case, settings.lead_department, settings.required_departments)
            row = seen.get(case.id)
            if row is None:
                row = DeadlineFlag(
                    case_id=case.id,
                    day=today,
                    kind=kind,
                    state=case.state,
                    due=due,
                    workdays_left=left,
                    who=list(who),
                )
                s.add(row)
            out.append(
                DueFlag(
                    case.id, case.reference, case.state, kind, due, left, who, case.id not in seen
                )
            )
        if notifier is not None:
            s.flush()
            rows = {
                r.case_id: r
                for r in s.scalars(select(DeadlineFlag).where(DeadlineFlag.day == today))
            }
            for flag in out:
                row = rows[flag.case_id]
                if row.notified_at is None:
                    notifier.deadline_flagged(flag)
                    row.notified_at = rt.clock()
        return out
