"""Bar charts drawn as SVG on the server (no script needed): two bars per period, scaled to the
largest count. The admin's statistics and the public register both draw with it."""

from __future__ import annotations

from typing import Any


def paired_bars(
    rows: list[dict[str, Any]],
    keys: tuple[str, str],
    label: str,
    *,
    width: int,
    height: int,
    pad: int,
    axis: int = 28,
    widest: float = 36.0,
) -> dict[str, Any]:
    """Coordinates for the template: a group per row (named by `row[label]`), a bar per key."""
    top = max([1] + [max(r[k] for k in keys) for r in rows])
    slot = (width - 2 * pad) / max(1, len(rows))
    bar = min(widest, slot / 3)
    plot = height - pad - axis
    groups = []
    for i, r in enumerate(rows):
        x = pad + i * slot + (slot - 2 * bar) / 2
        bars = []
        for j, key in enumerate(keys):
            h = plot * r[key] / top
            bars.append(
                {
                    "key": key,
                    "value": r[key],
                    "x": round(x + j * bar, 1),
                    "y": round(pad + plot - h, 1),
                    "w": round(bar - 2, 1),
                    "h": round(h, 1),
                    # Pages may draw bars across rows instead (text stays at reading size).
                    "percent": round(100 * r[key] / top, 1),
                }
            )
        groups.append(
            {label: r[label], "label_x": round(pad + i * slot + slot / 2, 1), "bars": bars}
        )
    return {
        "width": width,
        "height": height,
        "baseline": height - axis,
        "left": pad,
        "right": width - pad,
        "top": top,
        "groups": groups,
    }
