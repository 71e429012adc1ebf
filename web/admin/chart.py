"""A bar chart of applications and approvals per month: SVG for download, rows of bars
with their numbers in text on the statistics page."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, PAD, AXIS = 640, 260, 36, 28


def monthly_bars(months: list[dict[str, Any]]) -> dict[str, Any]:
    """Coordinates for the template: two bars per month, scaled to the largest count."""
    top = max([1] + [max(m["applications"], m["approved"]) for m in months])
    slot = (WIDTH - 2 * PAD) / max(1, len(months))
    bar = min(28.0, slot / 3)
    plot = HEIGHT - PAD - AXIS
    groups = []
    for i, m in enumerate(months):
        x = PAD + i * slot + (slot - 2 * bar) / 2
        bars = []
        for j, key in enumerate(("applications", "approved")):
            h = plot * m[key] / top
            bars.append(
                {
                    "key": key,
                    "value": m[key],
                    "x": round(x + j * bar, 1),
                    "y": round(PAD + plot - h, 1),
                    "w": round(bar - 2, 1),
                    "h": round(h, 1),
                    # The page draws bars across rows (text stays at reading size on a phone).
                    "percent": round(100 * m[key] / top, 1),
                }
            )
        groups.append(
            {"month": m["month"], "label_x": round(PAD + i * slot + slot / 2, 1), "bars": bars}
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
