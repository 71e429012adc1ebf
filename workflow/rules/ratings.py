"""好差评 (国办发〔2019〕51号): the five levels, what counts as bad, and the published summary."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
LEVELS_EN = {5: "Very satisfied", 4: "Satisfied", 3: "Fairly satisfied", 2: "Dissatisfied",
             1: "Very dissatisfied"}  # fmt: skip
BAD = 2  # this level and below need a comment and open a rectification
WINDOW_LABEL = "窗口"


def desk_label(desk: str, settings: Any) -> str:
    """The window, or the department's short name (住建, 自然资源和规划…)."""
    return WINDOW_LABEL if desk == "window" else settings.department_label(desk)


@dataclass(frozen=True)
class Rated:
    """One rating as the summary reads it: no rater, no comment."""

    rated_at: datetime
    desk: str
    level: int
    rectify_due: date | None
    rectified_at: datetime | None


def summary(rows: Iterable[Rated]) -> list[dict[str, Any]]:
    """Per month and desk: the number of ratings, each level's share in whole percent (largest
    remainder, so the shares add up to 100), the bad ones and how many were rectified on time."""
    groups: dict[tuple[str, str], list[Rated]] = {}
    for r in rows:
        groups.setdefault((r.rated_at.strftime("%Y-%m"), r.desk), []).append(r)
    out = []
    for (month, desk), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        counts = {lvl: sum(1 for r in rs if r.level == lvl) for lvl in LEVELS}
        bad = [r for r in rs if r.level <= BAD]
        on_time = sum(
            1
            for r in bad
            if r.rectified_at is not None
            and r.rectify_due is not None
            and r.rectified_at.date() <= r.rectify_due
        )
        out.append(
            {
                "month": month,
                "desk": desk,
                "count": len(rs),
                "counts": counts,
                "shares": shares(counts),
                "bad": len(bad),
                "rectified_on_time": on_time,
            }
        )
    return out


def shares(counts: dict[int, int]) -> dict[int, int]:
    """Whole percentages of each level, summing to exactly 100 (largest remainder)."""
    total = sum(counts.values())
    if not total:
        return {k: 0 for k in counts}
    exact = {k: divmod(v * 100, total) for k, v in counts.items()}
    out = {k: q for k, (q, _) in exact.items()}
    left = 100 - sum(out.values())
    for k in sorted(exact, key=lambda k: (-exact[k][1], -k))[:left]:
        out[k] += 1
    return out
