"""The public register's per-year bar chart, drawn as SVG on the server (no script needed)."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, PAD, AXIS = 480, 220, 32, 28


def year_bars(years: list[dict[str, Any]]) -> dict[str, Any]:
    """Coordinates for two bars a year (approved, completed), scaled to the largest count."""
    top = max([1] + [y["approved"] for y in years])
    slot = (WIDTH - 2 * PAD) / max(1, len(years))
    bar = min(36.0, slot / 3)
    plot = HEIGHT - PAD - AXIS
    groups = []
    for i, y in enumerate(years):
        x = PAD + i * slot + (slot - 2 * bar) / 2
        bars = []
        for j, key in enumerate(("approved", "completed")):
            h = plot * y[key] / top
            bars.append(
                {
                    "key": key,
                    "value": y[key],
                    "x": round(x + j * bar, 1),
                    "y": round(PAD + plot - h, 1),
                    "w": round(bar - 2, 1),
                    "h": round(h, 1),
                }
            )
        groups.append(
            {"year": y["year"], "label_x": round(PAD + i * slot + slot / 2, 1), "bars": bars}
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - AXIS,
        "left": PAD,
        "right": WIDTH - PAD,
        "top": top,
        "groups": groups,
    }
