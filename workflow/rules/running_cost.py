"""Sharing the elevator's yearly running cost (electricity, maintenance, inspection, insurance).

The owners' agreement decides how the running cost is shared: by the same ratios as the building
cost (floor coefficient × area) unless it sets its own shares, room by room, in whole parts
(份). Parts are integers so that the ratio is exact and reads the same on every page and in the
signed agreement; a percentage is written as parts out of 100. Either way only the households
that carry a share of the building cost pay (DESIGN §3.2), and the parts in fen sum exactly to
the total by the largest-remainder rule.
"""

from collections.abc import Hashable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from .cost import share_costs

K = TypeVar("K", bound=Hashable)

MAX_PARTS = 10_000  # per room: enough for percentages to two decimals (12.5% = 1250 of 10000)


def parse_parts(value: object) -> int:
    """One room's parts, a whole number from 0 to `MAX_PARTS` ("3" or 3); ValueError says why."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("份数须为整数")
    text = str(value).strip() if value is not None else ""
    if text == "":
        return 0
    if not text.isdigit() or not text.isascii():
        raise ValueError("份数须为 0 或正整数")
    parts = int(text)
    if parts > MAX_PARTS:
        raise ValueError(f"份数不能超过 {MAX_PARTS}")
    return parts


def running_cost_parts(
    total_fen: int,
    households: Sequence[tuple[K, str, Decimal | int, bool]],
    agreed: Mapping[str, int] | None = None,
) -> dict[K, int]:
    """Each household's yearly part in fen.

    `households` gives, for each: its key, its room, its weight in the building cost
    (coefficient × area) and whether it pays. `agreed` is the agreement's own parts by room
    (a room left out has none); None shares by the building-cost weights. Nothing to share, or
    nobody with a weight, gives every household 0.
    """
    weights: list[tuple[K, Decimal | int]] = [
        (key, (weight if agreed is None else agreed.get(room, 0)) if pays else 0)
        for key, room, weight, pays in households
    ]
    if total_fen == 0 or not any(w for _, w in weights):
        return {key: 0 for key, *_ in households}
    return share_costs(total_fen, weights)
