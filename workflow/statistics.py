"""Figures for the admin and the registers staff read across cases (read-only, no Flask).

Counts come from the cases and from the audit log: a month's applications are its `submit`
events, its approved elevators its `approve` events, so a figure can always be traced back to
the events behind it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from .context import Runtime
from .machine import STATE, STATES, TRANSITION, states_tagged
from .models import Case, Event
from .queries import deadline_of
from .services.common import actor_of, calendar, require_role

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


def _month(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def figures(rt: Runtime, actor: Any) -> Figures:
    """Everything the statistics page and its CSV show; admins only."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "admin")
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
        months: dict[str, Counter] = defaultdict(Counter)
        for kind, at in s.execute(
            select(Event.kind, Event.at).where(Event.kind.in_(("submit", "approve")))
        ):
            months[_month(at)]["applications" if kind == "submit" else "approved"] += 1
        month_rows = [
            {"month": m, "applications": c["applications"], "approved": c["approved"]}
            for m, c in sorted(months.items())
        ]
        granted = s.execute(
            select(Case.community, func.coalesce(func.sum(Case.subsidy_fen), 0), func.count())
            .where(Case.state == TRANSITION["approve_subsidy"].dest)
            .group_by(Case.community)
            .order_by(Case.community)
        ).all()
        by_community = [{"community": c, "amount_fen": int(a), "cases": n} for c, a, n in granted]
        cal = calendar(s)
        phases = _phase_workdays(s, cal)
        today = rt.clock().date()
        overdue = 0
        for case in s.scalars(select(Case).where(Case.state.in_(_deadline_states()))):
            dl = deadline_of(case, cal, today)
            overdue += bool(dl and dl.overdue)
        return Figures(
            by_state=by_state,
            months=month_rows,
            subsidy_total_fen=sum(r["amount_fen"] for r in by_community),
            subsidy_by_community=by_community,
            phase_workdays=phases,
            overdue=overdue,
            total_cases=sum(counts.values()),
        )


def _deadline_states() -> tuple[str, ...]:
    return tuple(s.name for s in STATES if s.deadline)


def _phase_workdays(s: Any, cal: Any) -> list[dict[str, Any]]:
    """Average working days a case spent in each phase, over the stays that have ended."""
    spans: dict[str, list[int]] = defaultdict(list)
    entered: dict[tuple[int, str], datetime] = {}
    rows = s.execute(
        select(Event.case_id, Event.from_state, Event.to_state, Event.at)
        .where(Event.case_id.is_not(None), Event.to_state.is_not(None))
        .order_by(Event.case_id, Event.seq)
    )
    for case_id, src, dest, at in rows:
        if src in PHASES and (case_id, src) in entered:
            start = entered.pop((case_id, src))
            spans[src].append(cal.workdays_between(start.date(), at.date()))
        if dest in PHASES:
            entered[(case_id, dest)] = at
    out = []
    for name in PHASES:
        values = spans.get(name, [])
        out.append(
            {
                "state": name,
                "label": STATE[name].label,
                "label_en": STATE[name].label_en,
                "count": len(values),
                "average": round(sum(values) / len(values), 1) if values else None,
            }
        )
    return out
