"""The published 好差评 results: per month and desk, without names or comments; the admin's
statistics add the comments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..data.config import current_settings
from ..data.models import Case, Rating
from ..data.runtime import Runtime
from ..rules.ratings import LEVELS, Rated, desk_label, summary


def published(rt: Runtime) -> list[dict[str, Any]]:
    """What `/ratings` shows: counts and shares only."""
    with rt.db.session() as s:
        settings = current_settings(s, rt.settings)
        rows = s.execute(
            select(
                Rating.rated_at, Rating.desk, Rating.level, Rating.rectify_due, Rating.rectified_at
            )
        ).all()
        out = summary(Rated(*row) for row in rows)
        for line in out:
            line["desk_label"] = desk_label(line["desk"], settings)
        return list(reversed(out))  # the newest month first


def comments(rt: Runtime, limit: int = 200) -> list[dict[str, Any]]:
    """The admin's view: every rating with a comment, newest first, with its case."""
    with rt.db.session() as s:
        settings = current_settings(s, rt.settings)
        rows = s.execute(
            select(Rating, Case.reference)
            .join(Case, Case.id == Rating.case_id)
            .where(Rating.comment != "")
            .order_by(Rating.rated_at.desc(), Rating.id.desc())
            .limit(limit)
        ).all()
        return [
            {
                "reference": ref,
                "month": r.rated_at.strftime("%Y-%m"),
                "desk_label": desk_label(r.desk, settings),
                "level": r.level,
                "label": LEVELS[r.level],
                "comment": r.comment,
                "rectification": r.rectification,
                "followup": LEVELS.get(r.followup_level or 0),
            }
            for r, ref in rows
        ]
