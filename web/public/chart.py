"""The public register's per-year bar chart: approved and completed elevators."""

from __future__ import annotations

from typing import Any

from ..charts import paired_bars


def year_bars(years: list[dict[str, Any]]) -> dict[str, Any]:
    return paired_bars(
        years, ("approved", "completed"), "year", width=480, height=220, pad=32, widest=36.0
    )
