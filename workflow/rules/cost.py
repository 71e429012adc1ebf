"""Sharing the owners' part of the cost (DESIGN §3.2).

The cost left after the subsidy is shared in proportion to floor coefficient × exclusive area:
upper floors gain most from the elevator, floors 1 and 2 gain nothing. Shares are whole fen and
must add up to the total exactly, or the agreement the owners sign would not balance.
"""

from collections.abc import Hashable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

# The common published example: floor 3 pays 0.7 and each floor above adds 0.1 (6th = 1.0).
_FIRST_PAYING_FLOOR = 3
_FIRST_PAYING_COEFFICIENT = Decimal("0.7")
_STEP = Decimal("0.1")


def default_coefficient(floor: int) -> Decimal:
    """The default coefficient of a floor: 0 for floors 1–2, 0.7 for the 3rd, +0.1 per floor."""
    if floor < 1:
        raise ValueError(f"楼层必须从 1 开始：{floor}")
    if floor < _FIRST_PAYING_FLOOR:
        return Decimal("0")
    return _FIRST_PAYING_COEFFICIENT + _STEP * (floor - _FIRST_PAYING_FLOOR)


def default_coefficients(floors: int) -> dict[int, Decimal]:
    """Default coefficients for every floor of a building with `floors` floors."""
    if floors < 1:
        raise ValueError(f"楼层数必须至少为 1：{floors}")
    return {floor: default_coefficient(floor) for floor in range(1, floors + 1)}


def weight(coefficient: Decimal, area: Decimal) -> Decimal:
    """A household's weight in the sharing: coefficient × exclusive area."""
    for value in (coefficient, area):
        _check_exact(value)
        if value < 0:
            raise ValueError(f"系数和面积不能为负数：{value}")
    return Decimal(coefficient) * Decimal(area)


def share_costs(total_fen: int, weights: Sequence[tuple[K, Decimal]]) -> dict[K, int]:
    """Split `total_fen` in proportion to the weights, in whole fen that sum to the total.

    Largest-remainder (Hamilton) method: everyone gets the floor of their exact share, and the
    fen left over go one each to the largest remainders. Ties go to the larger weight, then to
    the earlier entry, so the same input always gives the same table.
    """
    if total_fen < 0:
        raise ValueError(f"分摊总额不能为负数：{total_fen} 分")
    keys = [key for key, _ in weights]
    if len(set(keys)) != len(keys):
        raise ValueError("分摊对象重复")
    exact_weights = []
    for key, w in weights:
        _check_exact(w)
        if w < 0:
            raise ValueError(f"分摊权重不能为负数：{key} = {w}")
        exact_weights.append(Fraction(w))
    total_weight = sum(exact_weights, Fraction(0))
    if total_weight == 0:
        raise ValueError("所有分摊权重均为 0，无法分摊费用")

    exact = [total_fen * w / total_weight for w in exact_weights]
    shares = [int(s) for s in exact]  # floor: shares are non-negative
    left_over = total_fen - sum(shares)
    order = sorted(
        range(len(exact)),
        key=lambda i: (-(exact[i] - shares[i]), -exact_weights[i], i),
    )
    for i in order[:left_over]:
        shares[i] += 1
    return dict(zip(keys, shares, strict=True))


def _check_exact(value: object) -> None:
    # A float weight would make the shares depend on binary rounding of 0.7 or 0.1.
    if isinstance(value, float) or not isinstance(value, Decimal | int):
        raise TypeError(f"系数、面积和权重须为 Decimal 或整数（不用浮点数）：{value!r}")
