"""The installers' record (施工单位信用评价): figures built only from recorded facts of the cases,
keyed by the installer's unified social credit code. No personal data: installers are
organisations; no household, owner or applicant appears here.

Problems reported by residents and how fast they were closed, returns for rectification and the
residents' opinions at acceptance come from the residents' part of the process (居民监督、居民验收);
an average or a share with nothing to count reads as "none yet" (None), never as zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from ..data.models import AcceptanceOpinion, Case, Correction, InstallerBar, Problem
from ..data.runtime import Runtime
from ..rules.credit_code import normalise

# What the public page may sort by: a figure of each row, and which way is "best first".
SORTS: dict[str, tuple[str, bool]] = {
    "name": ("name", False),
    "started": ("started", True),
    "completed": ("completed", True),
    "on_time": ("on_time_share", True),
    "days": ("average_days", False),
}


@dataclass
class _Tally:
    name: str = ""
    started: int = 0
    completed: int = 0
    on_time: int = 0
    with_plan: int = 0
    days: int = 0
    late_days: int = 0


def _share(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(part * 100) / whole).quantize(Decimal("1"), ROUND_HALF_UP)) + "%"


def _average(total: int, n: int) -> str | None:
    if not n:
        return None
    return str((Decimal(total) / n).quantize(Decimal("0.1"), ROUND_HALF_UP))


def active_bars(s: Any, today: date) -> dict[str, InstallerBar]:
    rows = s.scalars(
        select(InstallerBar)
        .where(
            InstallerBar.lifted_at.is_(None),
            InstallerBar.barred_on <= today,
            InstallerBar.until >= today,
        )
        .order_by(InstallerBar.id)
    )
    return {b.credit_code: b for b in rows}


_NO_RESIDENTS = {
    "problems_reported": 0,
    "problems_closed_average_days": None,
    "returns_for_rectification": 0,
    "acceptance_opinions": None,
}
OPINIONS = ("satisfied", "basically_satisfied", "dissatisfied")


def _residents_figures(s: Any) -> dict[str, dict[str, Any]]:
    """Per installer, from what the residents recorded on its cases: problems reported, the
    days their closing took on average, returns for rectification, and the share of each
    opinion in the accepted round of each case whose completion the clerk confirmed (a round
    still open, or one that ended in a return for rectification, is no verdict yet)."""
    code = Case.installer_credit_code
    out: dict[str, dict[str, Any]] = defaultdict(lambda: dict(_NO_RESIDENTS))
    problems = s.execute(
        select(code, Problem.reported_at, Problem.closed_at)
        .join(Case, Case.id == Problem.case_id)
        .where(code.is_not(None))
    ).all()
    closing: dict[str, list[int]] = defaultdict(list)
    for c, reported, closed in problems:
        out[c]["problems_reported"] += 1
        if closed is not None:
            closing[c].append((closed - reported).days)
    for c, days in closing.items():
        out[c]["problems_closed_average_days"] = _average(sum(days), len(days))
    for c, n in s.execute(
        select(code, func.count(Correction.id))
        .join(Case, Case.id == Correction.case_id)
        .where(code.is_not(None), Correction.from_state == "acceptance")
        .group_by(code)
    ):
        out[c]["returns_for_rectification"] = n
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OPINIONS, 0))
    for c, opinion, n in s.execute(
        select(code, AcceptanceOpinion.opinion, func.count(AcceptanceOpinion.id))
        .join(Case, Case.id == AcceptanceOpinion.case_id)
        .where(
            code.is_not(None),
            Case.completed_at.is_not(None),
            AcceptanceOpinion.acceptance_round == Case.acceptance_round,
        )
        .group_by(code, AcceptanceOpinion.opinion)
    ):
        counts[c][opinion] = n
    for c, by in counts.items():
        total = sum(by.values())
        out[c]["acceptance_opinions"] = {k: _share(v, total) for k, v in by.items()}
    return dict(out)


def installers(
    rt: Runtime, sort: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """Every installer named at the start of construction, with its figures and any bar in
    force; sorted by `sort` (one of `SORTS`, best first), by name otherwise.

    A project counts as completed only once the clerk confirmed its completion
    (`confirm_completion` records `completed_at`): a case still in the completion check, or
    returned for rectification, is still under way, and its days run to that confirmation."""
    with rt.db.session() as s:
        today = today or rt.clock().date()
        rows = s.execute(
            select(
                Case.installer_credit_code,
                Case.installer_name,
                Case.construction_start,
                Case.planned_completion,
                Case.completed_at,
            )
            .where(Case.installer_credit_code.is_not(None), Case.construction_start.is_not(None))
            .order_by(Case.id)
        ).all()
        bars = active_bars(s, today)
        residents = _residents_figures(s)
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for code, name, start, planned, confirmed in rows:
        t = tallies[code]
        t.name = name or t.name  # the latest name given
        t.started += 1
        if confirmed is not None:
            done = confirmed.date()
            t.completed += 1
            t.days += (done - start).days
            if planned is not None:
                t.with_plan += 1
                t.on_time += done <= planned
                t.late_days += max((done - planned).days, 0)
    for code in bars:  # a barred installer with no project here is listed too
        tallies[code].name = tallies[code].name or "—"
    out = []
    for code, t in tallies.items():
        bar = bars.get(code)
        out.append(
            {
                "credit_code": code,
                "name": t.name,
                "started": t.started,
                "completed": t.completed,
                "average_days": _average(t.days, t.completed),
                "on_time": t.on_time,
                "on_time_share": _share(t.on_time, t.with_plan),
                "average_days_late": _average(t.late_days, t.with_plan),
                # From the residents' part of the process (居民监督、居民验收).
                **residents.get(code, _NO_RESIDENTS),
                "bar": (
                    {
                        "reason": bar.reason,
                        "document_number": bar.document_number,
                        "since": bar.barred_on.isoformat(),
                        "until": bar.until.isoformat(),
                    }
                    if bar
                    else None
                ),
            }
        )
    key, best_high = SORTS.get(sort or "name", SORTS["name"])
    out.sort(key=lambda r: r["credit_code"])
    if key == "name":
        out.sort(key=lambda r: r["name"])
    else:
        missing = [r for r in out if r[key] is None]
        present = [r for r in out if r[key] is not None]
        present.sort(key=lambda r: _number(r[key]), reverse=best_high)
        out = present + missing
    return out


def _number(value: Any) -> Decimal:
    return Decimal(str(value).rstrip("%"))


def installer(rt: Runtime, credit_code: str) -> dict[str, Any]:
    """One installer's row; an installer with nothing recorded has zeros and no bar."""
    code = normalise(credit_code or "")
    found = next((r for r in installers(rt) if r["credit_code"] == code), None)
    if found is not None:
        return found
    return {
        "credit_code": code, "name": "", "started": 0, "completed": 0, "average_days": None,
        "on_time": 0, "on_time_share": None, "average_days_late": None,
        "problems_reported": None, "problems_closed_average_days": None,
        "returns_for_rectification": None, "acceptance_opinions": None, "bar": None,
    }  # fmt: skip


def bar_history(rt: Runtime) -> list[dict[str, Any]]:
    """Every bar ever made, newest first (the admin's page)."""
    with rt.db.session() as s:
        return [
            {
                "id": b.id,
                "credit_code": b.credit_code,
                "reason": b.reason,
                "document_number": b.document_number,
                "barred_on": b.barred_on.isoformat(),
                "until": b.until.isoformat(),
                "lifted_at": b.lifted_at.isoformat(timespec="minutes") if b.lifted_at else None,
                "in_force": b.lifted_at is None and b.until >= rt.clock().date(),
            }
            for b in s.scalars(select(InstallerBar).order_by(InstallerBar.id.desc()))
        ]
