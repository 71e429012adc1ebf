"""The public register of the city's elevator projects (政务公开, `/projects`).

Only what a government information disclosure of approved projects carries: where (街道,
community, the building's address), how many elevators, where the project stands, when it was
approved and the subsidy granted. No names, no phones, no case references: a project enters
the register when it is approved (a public administrative decision), not before.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from statistics import median
from typing import Any

from sqlalchemy import extract, func, select

from ..data.config import calendar
from ..data.models import Case, Event
from ..data.runtime import Runtime
from ..process.machine import TRANSITION
from ..process.states import STATE, main_path, states_tagged

# From the approval on, along the happy path: the states a project is public in.
PUBLIC_STATES = tuple(s.name for s in main_path() if s.step >= STATE["approved"].step)
GRANTED = states_tagged("granted")  # the subsidy's amount is fixed
PAID = tuple(s for s in GRANTED if "final" in STATE[s].tags)  # and paid: nothing more to do


def _query(street: str | None, year: int | None) -> Any:
    q = select(Case).where(Case.state.in_(PUBLIC_STATES), Case.decided_at.is_not(None))
    if street:
        q = q.where(Case.street == street)
    if year:
        q = q.where(extract("year", Case.decided_at) == year)
    return q.order_by(Case.decided_at.desc(), Case.id.desc())


def _row(c: Case) -> dict[str, Any]:
    st = STATE[c.state]
    granted = c.subsidy_fen if c.state in GRANTED else None
    return {
        "street": c.street or "",
        "community": c.community,
        "address": f"{c.address} {c.building}{c.unit}",
        "elevators": 1,  # one application is one unit's one elevator
        "state": c.state,
        "state_label": st.label,
        "state_label_en": st.label_en,
        "approved_on": c.decided_at.date().isoformat(),
        "subsidy_fen": granted,
        # 补贴拨付: the day the finance bureau paid it, once recorded.
        "subsidy_paid_on": c.subsidy_paid_on.isoformat() if c.subsidy_paid_on else None,
    }


def projects(
    rt: Runtime, *, street: str | None = None, year: int | None = None, limit: int = 5000
) -> dict[str, Any]:
    """The register, filtered; with the choices to filter by and a summary per year."""
    with rt.db.session() as s:
        rows = [_row(c) for c in s.scalars(_query(street, year).limit(limit))]
        everything: list[tuple[str | None, datetime, str, int | None, int]] = list(
            s.execute(
                select(Case.street, Case.decided_at, Case.state, Case.subsidy_fen, Case.id).where(
                    Case.state.in_(PUBLIC_STATES), Case.decided_at.is_not(None)
                )
            ).all()
        )
        waited = _payment_workdays(s)
    streets = sorted({st for st, *_ in everything if st})
    years = sorted({d.year for _, d, *_ in everything}, reverse=True)
    per_year: dict[int, dict[str, int]] = defaultdict(
        lambda: {"approved": 0, "completed": 0, "subsidy_fen": 0, "subsidy_paid": 0}
    )
    days: dict[int, list[int]] = defaultdict(list)
    done = {s.name for s in main_path() if s.step >= STATE["completed"].step}
    for st, decided, state, subsidy, case_id in everything:
        if street and st != street:
            continue
        y = per_year[decided.year]
        y["approved"] += 1
        y["completed"] += state in done
        y["subsidy_fen"] += (subsidy or 0) if state in GRANTED else 0
        y["subsidy_paid"] += state in PAID
        if case_id in waited:
            days[decided.year].append(waited[case_id])
    return {
        "rows": rows,
        "streets": streets,
        "years": years,
        "summary": [
            {"year": y, **per_year[y], "payment_workdays": _median(days.get(y, []))}
            for y in sorted(per_year)
        ],
        "filters": {"street": street or "", "year": year},
    }


def _payment_workdays(s: Any) -> dict[int, int]:
    """补贴拨付: for each paid case, the working days from the subsidy's approval (its
    `approve_subsidy` event; a later correction does not restart the count) to the day the
    finance bureau paid it (`subsidy_paid_on`), as the admin statistics count them."""
    approval = TRANSITION["approve_subsidy"]
    rows = s.execute(
        select(Case.id, func.min(Event.at), Case.subsidy_paid_on)
        .join(Event, Event.case_id == Case.id)
        .where(
            Case.state.in_(PAID),
            Case.subsidy_paid_on.is_not(None),
            Event.kind == approval.trigger,
        )
        .group_by(Case.id, Case.subsidy_paid_on)
    ).all()
    if not rows:
        return {}
    cal = calendar(s)
    return {
        case_id: max(0, cal.workdays_between(_day(at), paid_on)) for case_id, at, paid_on in rows
    }


def _day(at: Any) -> date:
    return at.date() if isinstance(at, datetime) else date.fromisoformat(str(at)[:10])


def _median(values: list[int]) -> float | None:
    """The middle of the period's waits (half a day when two are in the middle), or None."""
    return round(float(median(values)), 1) if values else None
