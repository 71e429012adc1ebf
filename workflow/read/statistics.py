"""Figures for the admin and the registers staff read across cases (read-only, no Flask).

Counts come from the cases and from the audit log: a month's applications are its `submit`
events, its approved elevators its `approve` events, so a figure can always be traced back to
the events behind it.

Every figure is an SQL aggregate: at 100,000 cases (1.7 million events) loading the events into
Python took 37 s and 480 MiB. Working days enter only through day numbers: a stay's length is
W(left) − W(entered), where W(d) counts the working days up to d, so the database groups the
stays by date and Python weighs a few thousand dates with the calendar's table.

Grouping the log's two million events still took 1–2 s, so what is counted from the log is
kept in the database as a checkpoint (`StatisticsCheckpoint`): the tallies per kind, state and
day of the events up to one event id that happened before the day before. The log is
append-only and each event is stamped as it is written, so those tallies never change; a view
adds the events since (by id, and any of the last days by date) to them. A checkpoint that a
day has passed is rolled forward by the next computation. The cases' figures (by state, the
subsidies, the open stays, overdue) are read from the cases each time, through their indexes.

The result is also kept in memory per database and day, and recomputed when the audit log has
grown (every change of a case, a holiday or a setting appends an event) or when a job calls
`refresh_statistics`.
"""

from __future__ import annotations

import threading
import weakref
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, case, cast, delete, func, literal_column, or_, select

from ..data.config import calendar
from ..data.models import Case, Event, StatisticsCheckpoint
from ..data.runtime import Runtime
from ..process.access import actor_of, require_role
from ..process.machine import TRANSITION, TRANSITIONS
from ..process.states import STATE, STATES, states_tagged

# The phases whose length we report, each from entering the state to leaving it.
PHASES = states_tagged("timed")
# The moves into and out of those phases, and what the months count. A trigger that leaves the
# case where it was (a review extended, a subsidy corrected) neither ends a stay nor starts one.
MOVES = frozenset(
    t.trigger
    for t in TRANSITIONS
    if t.sources != (t.dest,) and (t.dest in PHASES or set(t.sources) & set(PHASES))
)
# Which moves a checkpoint's tallies counted: one made under another rule is counted afresh.
TALLY_RULE = 2
MONTHLY = {"submit": "applications", "approve": "approved"}
COUNTED = tuple(sorted(MOVES | set(MONTHLY)))
# A checkpoint holds the events of the days before the day before its computation: an event
# not yet committed then was stamped later than that.
SETTLED_AFTER = timedelta(days=1)
# A checkpoint is rolled forward after a day, or sooner when this many events came since
# (a bulk load of back-dated cases).
ROLL_AFTER_EVENTS = 50_000


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
        key = (rt.clock().date(), s.scalar(select(func.max(Event.id))) or 0)
    cached = _cache.get(rt.db)
    if cached is not None and cached[0] == key:
        return cached[1]
    return refresh_statistics(rt)


def refresh_statistics(rt: Runtime) -> Figures:
    """Compute the figures and keep them for the statistics page: a plain function a job queue
    may call on a schedule or after changes; safe to run twice. Rolls the log's checkpoint
    forward when a day has passed since it was made."""
    with rt.db.session() as s:
        today = rt.clock().date()
        up_to = s.scalar(select(func.max(Event.id))) or 0
        cut = datetime.combine(today - SETTLED_AFTER, time.min)
        tallies, settled, checkpoint = log_tallies(s, up_to, cut)
        result = compute(s, today, tallies)
    if checkpoint is None or (
        checkpoint.before < cut or up_to - checkpoint.up_to_event > ROLL_AFTER_EVENTS
    ):
        save_checkpoint(rt, up_to, cut, settled)
    with _cache_lock:
        _cache[rt.db] = ((today, up_to), result)
    return result


def compute(s: Any, today: date, tallies: Tallies | None = None) -> Figures:
    """The figures from SQL aggregates; no row per case or per event reaches Python.
    `tallies`: what the audit log counts (`log_tallies`); without them, the whole log is
    counted."""
    if tallies is None:
        tallies = Tallies.of(_tally(s))
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
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"applications": 0, "approved": 0})
    for (kind, m), n in tallies.months.items():
        months[m][MONTHLY[kind]] += n
    month_rows = [{"month": m, **c} for m, c in sorted(months.items()) if any(c.values())]
    # Grouped in the order of the index on (state, community, subsidy_fen), which answers it
    # alone, then the few groups sorted by community (in the database's collation, as before);
    # a community's rows of the two states are added up here.
    granted: dict[str, list[int]] = {}
    for _, community, amount, n in s.execute(
        select(
            Case.state, Case.community, func.coalesce(func.sum(Case.subsidy_fen), 0), func.count()
        )
        .where(Case.state.in_(states_tagged("granted")))
        .group_by(Case.state, Case.community)
        .order_by(Case.community)
    ):
        total = granted.setdefault(community, [0, 0])
        total[0] += int(amount)
        total[1] += n
    by_community = [{"community": c, "amount_fen": a, "cases": n} for c, (a, n) in granted.items()]
    cal = calendar(s)
    waiting = TRANSITION["record_payment"].sources[0]
    paid_cases, paid_fen = s.execute(
        select(func.count(), func.coalesce(func.sum(Case.subsidy_fen), 0)).where(
            Case.state == TRANSITION["record_payment"].dest
        )
    ).one()
    phases = _phase_workdays(s, cal, tallies)
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


# --- what the audit log counts, and its checkpoint ----------------------------------------


@dataclass
class Tallies:
    """What the statistics count from the log: submits and approvals per month, and per phase
    the moves out of it and into it per day (as date ordinals)."""

    months: Counter = field(default_factory=Counter)  # (kind, "YYYY-MM") → n
    left: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    entered: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    @classmethod
    def of(cls, rows: list[tuple[str, str | None, str | None, int, int]]) -> Tallies:
        """From the log's rows grouped by (kind, from state, to state, day ordinal)."""
        out = cls()
        out.add_rows(rows)
        return out

    def add_rows(self, rows: list[tuple[str, str | None, str | None, int, int]]) -> None:
        for kind, src, dest, day, n in rows:
            if kind in MONTHLY:
                d = date.fromordinal(day)
                self.months[(kind, f"{d.year:04d}-{d.month:02d}")] += n
            if kind in MOVES and dest is not None and src != dest:
                if src in PHASES:
                    self.left[src][day] += n
                if dest in PHASES:
                    self.entered[dest][day] += n

    def as_json(self) -> dict[str, Any]:
        """Each day's counts as one run of numbers from the first day (a few thousand days per
        phase): a tenth of the text of (day, count) pairs, read as fast."""
        return {
            "rule": TALLY_RULE,
            "months": [[k, m, n] for (k, m), n in sorted(self.months.items())],
            "left": {p: _run(c) for p, c in self.left.items() if c},
            "entered": {p: _run(c) for p, c in self.entered.items() if c},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tallies:
        out = cls()
        out.months.update({(k, m): n for k, m, n in data["months"]})
        for side, into in (("left", out.left), ("entered", out.entered)):
            for p, (first, *counts) in data[side].items():
                into[p].update({first + i: n for i, n in enumerate(counts) if n})
        return out


def _run(days: Counter) -> list[int]:
    """[first day's ordinal, its count, the next day's count, …] up to the last day."""
    first = min(days)
    return [first, *(days.get(d, 0) for d in range(first, max(days) + 1))]


def _tally(s: Any, *where: Any) -> list[tuple[str, str | None, str | None, int, int]]:
    """The counted events (`where` narrows them) grouped by kind, states and day, over the
    index on (kind, at, from_state, to_state)."""
    day = _day_of(s, Event.at)
    rows = s.execute(
        select(Event.kind, Event.from_state, Event.to_state, day, func.count())
        .where(Event.kind.in_(COUNTED), *where)
        .group_by(Event.kind, Event.from_state, Event.to_state, day)
    )
    return [(k, src, dest, _as_date(d).toordinal(), n) for k, src, dest, d, n in rows]


def log_tallies(
    s: Any, up_to: int, cut: datetime
) -> tuple[Tallies, Tallies, StatisticsCheckpoint | None]:
    """The tallies of the events up to id `up_to`: the latest checkpoint's plus those of the
    events it does not hold (later ids, and the last days'); and the same for the events before
    `cut` alone, the next checkpoint. Also the checkpoint used, if any."""
    checkpoint = s.scalar(
        select(StatisticsCheckpoint)
        .where(StatisticsCheckpoint.up_to_event <= up_to)
        .order_by(StatisticsCheckpoint.up_to_event.desc(), StatisticsCheckpoint.id.desc())
        .limit(1)
    )
    if checkpoint is not None and (checkpoint.tallies or {}).get("rule") != TALLY_RULE:
        checkpoint = None  # counted under an earlier rule: count the whole log again, once
    if checkpoint is None:
        rows = _tally(s, Event.id <= up_to)
        total, settled = Tallies(), Tallies()
    else:
        held, since = checkpoint.up_to_event, checkpoint.before
        # Two ranges, each of one index: later ids, then the last days' events of earlier ids.
        rows = _tally(s, Event.id > held, Event.id <= up_to)
        rows += _tally(s, Event.id <= held, Event.at >= since)
        total = Tallies.from_json(checkpoint.tallies)
        settled = Tallies.from_json(checkpoint.tallies)
    total.add_rows(rows)
    settled.add_rows([r for r in rows if r[3] < cut.date().toordinal()])
    return total, settled, checkpoint


def save_checkpoint(rt: Runtime, up_to: int, cut: datetime, settled: Tallies) -> None:
    """Keep `settled` (the tallies of the events up to `up_to` before `cut`); older
    checkpoints go. Two processes saving at once keep both, each true."""
    with rt.db.transaction() as s:
        s.add(
            StatisticsCheckpoint(
                up_to_event=up_to, before=cut, tallies=settled.as_json(), made_at=rt.clock()
            )
        )
        s.execute(delete(StatisticsCheckpoint).where(StatisticsCheckpoint.up_to_event < up_to))


def forget_checkpoints(rt: Runtime, after_event: int) -> None:
    """Drop the checkpoints made past event `after_event`: a bulk load writes back-dated
    events in one long transaction, which a checkpoint made meanwhile could not see."""
    with rt.db.transaction() as s:
        s.execute(
            delete(StatisticsCheckpoint).where(StatisticsCheckpoint.up_to_event > after_event)
        )


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

    def through(self, first: int, last: int) -> list[int]:
        """W of each day from ordinal `first` to `last`, by one walk instead of a bisection a
        day."""
        workdays, w, out = set(self._days), bisect_right(self._days, first - 1), []
        for day in range(first, last + 1):
            w += day in workdays
            out.append(w)
        return out


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


def _phase_workdays(s: Any, cal: Any, tallies: Tallies) -> list[dict[str, Any]]:
    """Average working days a case spent in each phase, over the stays that have ended.

    A stay runs from the transition into the phase to the transition out of it. Summed over the
    ended stays: Σ W(left) − Σ W(entered), and the entries of ended stays are all entries but
    the open ones (a case now in the phase entered it with its latest move there). So the
    log's tallies per day answer it, with one GROUP BY over the few cases now in a phase (each
    one probe of the index on the cases' moves); no window over the whole log.
    """
    left = {p: dict(c) for p, c in tallies.left.items()}
    entered = {p: Counter(c) for p, c in tallies.entered.items()}
    day = _day_of(s, Event.at)
    latest = (
        select(day)
        .where(
            Event.case_id == Case.id,
            Event.to_state.is_not(None),
            Event.to_state == Case.state,
            # the move that entered the state, not one that left the case in it
            or_(Event.from_state.is_(None), Event.from_state != Event.to_state),
        )
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
        if d is not None:  # still open: not an ended stay
            entered.setdefault(state, Counter())[_as_date(d).toordinal()] -= n
    ordinals = [d for per in (*left.values(), *entered.values()) for d in per]
    first = min(ordinals, default=0)
    bounds = [date.fromordinal(first), date.fromordinal(max(ordinals))] if ordinals else []
    w = _Rank(cal, bounds).through(first, max(ordinals)) if ordinals else []
    out = []
    for name in PHASES:
        went = left.get(name, {})
        n = sum(went.values())
        total = sum(k * w[d - first] for d, k in went.items()) - sum(
            k * w[d - first] for d, k in entered.get(name, {}).items()
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
