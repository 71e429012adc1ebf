"""What pages and the API show of the residents' part of a case: the representatives, the
problems reported during construction and the residents' acceptance (居民验收)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ..data.models import Case, Problem
from ..papers.documents import OPINIONS
from ..process.context import Context
from ..process.guards import current_opinions, failing, supervisors_needed
from ..process.machine import TRANSITION
from ..process.states import STATE

if TYPE_CHECKING:
    from ..data.runtime import Runtime


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else ""


def supervisors_json(case: Case) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "room": x.household.room,
            "name": mask_name(x.household.owner_name),
            "accepted": x.accepted_at is not None,
        }
        for x in case.supervisors
        if x.active
    )


def problem_json(p: Problem) -> dict[str, Any]:
    """A problem as pages and the API show it; photos are numbered across the report and its
    replies from 1, as `photo` serves them."""
    first = len(p.photos or [])
    numbers, n = [], first + 1
    for r in p.replies:
        numbers.append(list(range(n, n + len(r.photos or []))))
        n += len(r.photos or [])
    return {
        "id": p.id,
        "room": p.household.room,
        "text": p.text,
        "photos": list(range(1, first + 1)),
        "reported_at": p.reported_at.isoformat(timespec="minutes"),
        "open": p.closed_at is None,
        "closed_at": p.closed_at.isoformat(timespec="minutes") if p.closed_at else None,
        "replies": [
            {
                "kind": r.kind,
                "text": r.text,
                "photos": numbers[i],
                "at": r.at.isoformat(timespec="minutes"),
            }
            for i, r in enumerate(p.replies)
        ],
    }


def acceptance_of(ctx: Context, full: bool = False) -> dict[str, Any]:
    """The residents' acceptance at a glance: counts per opinion in the current round, open
    problems, and whether confirmation may go (`ready`, with what still stops it)."""
    case = ctx.case
    given = current_opinions(case)
    counts = {k: sum(1 for o in given.values() if o.opinion == k) for k in OPINIONS}
    blocking = failing(TRANSITION["confirm_completion"].guards, ctx, with_input=False)
    out: dict[str, Any] = {
        "round": case.acceptance_round,
        "open": "resident_acceptance" in STATE[case.state].tags,
        "supervision_open": "supervision" in STATE[case.state].tags,
        "supervisors_needed": supervisors_needed(case, ctx.settings),
        "problems_open": "problems" in STATE[case.state].tags,
        "counts": counts,
        "not_given": len(case.households) - len(given) if case.acceptance_round else 0,
        "open_problems": sum(1 for p in case.problems if p.closed_at is None),
        "ready": case.state == "acceptance" and not blocking,
    }
    if full:
        supervisors = {x.household_id for x in case.supervisors if x.active}
        out["blocked_by"] = [m.as_dict() for m in blocking] if case.state == "acceptance" else []
        out["opinions"] = [
            {
                "room": h.room,
                "representative": h.id in supervisors,
                "opinion": given[h.id].opinion if h.id in given else None,
                "reason": given[h.id].reason if h.id in given else "",
                "answer": given[h.id].answer if h.id in given else None,
                "given_at": given[h.id].given_at.isoformat(timespec="minutes")
                if h.id in given
                else None,
            }
            for h in case.households
        ]
    return out


def open_problems(case: Case) -> list[Problem]:
    return [p for p in case.problems if p.closed_at is None]


def open_problem_counts(rt: Runtime, case_ids: list[int]) -> dict[int, int]:
    """How many problems each listed case has open (the clerk's queue shows the count)."""
    if not case_ids:
        return {}
    with rt.db.session() as s:
        rows = s.execute(
            select(Problem.case_id, func.count(Problem.id))
            .where(Problem.case_id.in_(case_ids), Problem.closed_at.is_(None))
            .group_by(Problem.case_id)
        )
        return {case_id: n for case_id, n in rows}
