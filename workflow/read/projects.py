"""The public register of the city's elevator projects (政务公开, `/projects`).

Only what a government information disclosure of approved projects carries: where (街道,
community, the building's address), how many elevators, where the project stands, when it was
approved and the subsidy granted. No names, no phones, no case references: a project enters
the register when it is approved (a public administrative decision), not before.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import extract, select

from ..data.models import Case
from ..data.runtime import Runtime
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
        everything: list[tuple[str | None, datetime, str, int | None]] = list(
            s.execute(
                select(Case.street, Case.decided_at, Case.state, Case.subsidy_fen).where(
                    Case.state.in_(PUBLIC_STATES), Case.decided_at.is_not(None)
                )
            ).all()
        )
    streets = sorted({st for st, *_ in everything if st})
    years = sorted({d.year for _, d, *_ in everything}, reverse=True)
    per_year: dict[int, dict[str, int]] = defaultdict(
        lambda: {"approved": 0, "completed": 0, "subsidy_fen": 0, "subsidy_paid": 0}
    )
    done = {s.name for s in main_path() if s.step >= STATE["completed"].step}
    for st, decided, state, subsidy in everything:
        if street and st != street:
            continue
        y = per_year[decided.year]
        y["approved"] += 1
        y["completed"] += state in done
        y["subsidy_fen"] += (subsidy or 0) if state in GRANTED else 0
        y["subsidy_paid"] += state in PAID
    return {
        "rows": rows,
        "streets": streets,
        "years": years,
        "summary": [{"year": y, **per_year[y]} for y in sorted(per_year)],
        "filters": {"street": street or "", "year": year},
    }
