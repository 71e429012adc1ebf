"""Figures for the admin and the registers staff read across cases (read-only, no Flask).

Counts come from the cases and from the audit log: a month's applications are its `submit`
events, its approved elevators its `approve` events, so a figure can always be traced back to
the events behind it.

Every figure is an SQL aggregate: at 100,000 cases (1.7 million events) loading the events into
Python took 37 s and 480 MiB. Working days enter only through day numbers: a stay's length is
W(left) − W(entered), where W(d) counts the working days up to d, so the database groups the
stays by date and Python weighs a few thousand dates with the calendar's table. The result is
kept per database and day, and recomputed when the audit log has grown (every change of a case,
a holiday or a setting appends an event) or when a job calls `refresh_statistics`.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, case, cast, func, literal_column, select

from ..data.config import calendar
from ..data.models import Case, Event
from ..data.runtime import Runtime
from ..process.access import actor_of, require_role
from ..process.machine import TRANSITION, TRANSITIONS
from ..process.states import STATE, STATES, states_tagged

# The phases whose length we report, each from entering the state to leaving it.
PHASES = states_tagged("timed")


@dataclass(frozen=True)
class Figures:
    by_state: list[dict[str, Any]]
    months: list[dict[str, Any]]  # {"month": "2026-11", "applications": n, "approved": n}
    subsidy_total_fen: int
    subsidy_by_community: list[dict[str, Any]]
    phase_workdays: list[dict[str, Any]]  # {"state", "label", "average", "count"}
    overdue: int
    total_cases: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    # 补贴拨付: subsidies paid, their sum, and the working days from approval to payment (the
    # stay in 补贴已核准, as `phase_workdays` measures it).
    subsidy_paid_cases: int = 0
    subsidy_paid_fen: int = 0
    payment_workdays: float | None = None


def _month(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def figures(rt: Runtime, actor: Any) -> Figures:
    """Everything the statistics page and its CSV show; admins only.

    Served from the cache while no event has been appended since it was computed (one index
    lookup), else computed afresh."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "admin")
        key = (rt.clock().date(), s.scalar(select(func.max(Event.id))))
    cached = _cache.get(rt.db)
    if cached is not None and cached[0] == key:
        return cached[1]
    return refresh_statistics(rt)


def refresh_statistics(rt: Runtime) -> Figures:
    """Compute the figures and keep them for the statistics page: a plain function a job queue
    may call on a schedule or after changes; safe to run twice."""
    with rt.db.session() as s:
        today = rt.clock().date()
        key = (today, s.scalar(select(func.max(Event.id))))
        result = compute(s, today)
    with _cache_lock:
        _cache[rt.db] = (key, result)
    return result


def compute(s: Any, today: date) -> Figures:
    """The figures from SQL aggregates; no row per case or per event reaches Python."""
    counts = dict(s.execute(select(Case.state, func.count()).group_by(Case.state)).all())
    by_state = [
        {
            "state": st.name,
            "label": st.label,
            "label_en": st.label_en,
            "count": counts.get(st.name, 0),
        }
        for st in STATES
    ]
    month = _month_of(s, Event.at)
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"applications": 0, "approved": 0})
    for kind, m, n in s.execute(
        select(Event.kind, month, func.count())
        .where(Event.kind.in_(("submit", "approve")))
        .group_by(Event.kind, month)
    ):
        months[m]["applications" if kind == "submit" else "approved"] += n
    month_rows = [{"month": m, **c} for m, c in sorted(months.items())]
    granted = s.execute(
        select(Case.community, func.coalesce(func.sum(Case.subsidy_fen), 0), func.count())
        .where(Case.state.in_(states_tagged("granted")))
        .group_by(Case.community)
        .order_by(Case.community)
    ).all()
    by_community = [{"community": c, "amount_fen": int(a), "cases": n} for c, a, n in granted]
    cal = calendar(s)
    waiting = TRANSITION["record_payment"].sources[0]
    paid_cases, paid_fen = s.execute(
        select(func.count(), func.coalesce(func.sum(Case.subsidy_fen), 0)).where(
            Case.state == TRANSITION["record_payment"].dest
        )
    ).one()
    phases = _phase_workdays(s, cal)
    return Figures(
        by_state=by_state,
        months=month_rows,
        subsidy_total_fen=sum(r["amount_fen"] for r in by_community),
        subsidy_by_community=by_community,
        phase_workdays=phases,
        overdue=_overdue(s, cal, today),
        total_cases=sum(counts.values()),
        subsidy_paid_cases=paid_cases,
        subsidy_paid_fen=int(paid_fen),
        payment_workdays=next((p["average"] for p in phases if p["state"] == waiting), None),
    )


def _month_of(s: Any, column: Any) -> Any:
    if s.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _day_of(s: Any, column: Any) -> Any:
    if s.get_bind().dialect.name == "postgresql":
        return cast(column, Date)
    return func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


class _Rank:
    """W(d): the working days up to and including d, from the calendar's table."""

    def __init__(self, cal: Any, days: list[date]) -> None:
        self._cal = cal
        self._days = cal.day_numbers(min(days), max(days)) if days else []

    def __call__(self, d: date) -> int:
        return bisect_right(self._days, d.toordinal())


def _deadline_states() -> tuple[str, ...]:
    return tuple(s.name for s in STATES if s.deadline)


def _overdue(s: Any, cal: Any, today: date) -> int:
    """Cases past their deadline by at least one working day, grouped by due date."""
    due = case(
        *((Case.state == st, getattr(Case, STATE[st].deadline)) for st in _deadline_states()),
    )
    rows = s.execute(
        select(due.label("due"), func.count())
        .where(Case.state.in_(_deadline_states()))
        .group_by(literal_column("due"))
    ).all()
    rows = [(_as_date(d), n) for d, n in rows if d is not None]
    rank = _Rank(cal, [d for d, _ in rows] + [today])
    # workdays_between(today, due) < 0  ⇔  W(due) < W(today)
    return sum(n for d, n in rows if rank(d) < rank(today))


def _phase_workdays(s: Any, cal: Any) -> list[dict[str, Any]]:
    """Average working days a case spent in each phase, over the stays that have ended.

    A stay runs from the transition into the phase to the transition out of it. Summed over the
    ended stays: Σ W(left) − Σ W(entered), and the entries of ended stays are all entries but
    the open ones (a case now in the phase entered it with its latest move there). So three
    GROUP BYs answer it, two over the index on (kind, at, from_state, to_state) and one over the
    few cases now in a phase; no window over the whole log.
    """
    moves = [t.trigger for t in TRANSITIONS if t.dest in PHASES or set(t.sources) & set(PHASES)]
    day = _day_of(s, Event.at)
    left: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    entered: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    for src, dest, d, n in s.execute(
        select(Event.from_state, Event.to_state, day, func.count())
        # Triggers are events of cases: no test of case_id, which the index does not hold.
        .where(Event.kind.in_(moves), Event.to_state.is_not(None))
        .group_by(Event.from_state, Event.to_state, day)
    ):
        d = _as_date(d)
        if src in PHASES:
            left[src][d] += n
            counts[src] += n
        if dest in PHASES:
            entered[dest][d] += n
    latest = (
        select(day)
        .where(Event.case_id == Case.id, Event.to_state == Case.state)
        .order_by(Event.seq.desc())
        .limit(1)
        .scalar_subquery()
        .label("since")
    )
    for state, d, n in s.execute(
        select(Case.state, latest, func.count())
        .where(Case.state.in_(PHASES))
        .group_by(Case.state, literal_column("since"))
    ):
        if d is not None:
            entered[state][_as_date(d)] -= n  # still open: not an ended stay
    rank = _Rank(cal, [d for per in (*left.values(), *entered.values()) for d in per])
    out = []
    for name in PHASES:
        n = counts.get(name, 0)
        total = sum(k * rank(d) for d, k in left.get(name, {}).items()) - sum(
            k * rank(d) for d, k in entered.get(name, {}).items()
        )
        out.append(
            {
                "state": name,
                "label": STATE[name].label,
                "label_en": STATE[name].label_en,
                "count": n,
                "average": round(total / n, 1) if n else None,
            }
        )
    return out
