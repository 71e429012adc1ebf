"""A bar chart of applications and approvals per month: SVG for download, rows of bars
with their numbers in text on the statistics page."""

from __future__ import annotations

from typing import Any

from ..charts import paired_bars


def monthly_bars(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Applications and approvals per month."""
    return paired_bars(
        months, ("applications", "approved"), "month", width=640, height=260, pad=36, widest=28.0
    )
