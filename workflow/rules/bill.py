"""What each household pays in the end (DESIGN §3.3a): its share of the cost, its part of the
subsidy, compensation to the low floors paid or received, and the 公积金 it may withdraw.

Every split is in whole fen by the largest-remainder rule (`cost.share_costs`), so the sums
hold exactly: shares add up to the cost, subsidy parts to the subsidy, compensation paid to
compensation received.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from workflow.rules.cost import share_costs

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Bill(Generic[K]):
    """One household's money, in fen."""

    household: K
    share_fen: int  # its share of the cost (the estimate, or the actual cost once known)
    subsidy_fen: int  # its part of the subsidy, apportioned by the shares
    compensation_paid_fen: int
    compensation_received_fen: int

    @property
    def own_part_fen(self) -> int:
        """Its share less its subsidy part: what the 出资证明 states as its own part."""
        return self.share_fen - self.subsidy_fen

    @property
    def net_fen(self) -> int:
        """What it pays in the end; negative when it receives more than it pays."""
        return self.own_part_fen + self.compensation_paid_fen - self.compensation_received_fen

    @property
    def provident_fund_max_fen(self) -> int:
        """The most it may withdraw from the 公积金 for the elevator: its own part of the cost
        (compensation is between neighbours, not a cost of the elevator)."""
        return max(self.own_part_fen, 0)


def apportion(total_fen: int, weights: Sequence[tuple[K, Decimal | int]]) -> dict[K, int]:
    """`total_fen` over the weights by largest remainder; all zero when nothing is to split.

    Unlike `share_costs`, a total of 0 over weights that are all 0 is no error: a case without
    compensation or subsidy has nothing to split.
    """
    if total_fen == 0:
        return {key: 0 for key, _ in weights}
    return share_costs(total_fen, weights)


def compensation_paid(
    received: Mapping[K, int], weights: Sequence[tuple[K, Decimal | int]]
) -> dict[K, int]:
    """Who pays the compensation the low floors receive: every household that carries a share,
    in proportion to its share (its weight, coefficient × area; 0 for those who pay nothing).

    Raises ValueError when compensation is owed but nobody carries a share.
    """
    for key, fen in received.items():
        if fen < 0:
            raise ValueError(f"补偿金额不能为负数：{key}")
    total = sum(received.values())
    if total and not any(w for _, w in weights):
        raise ValueError("没有分摊费用的住户，无法分摊低层补偿")
    return apportion(total, weights)


def bills(
    cost_fen: int,
    subsidy_fen: int,
    weights: Sequence[tuple[K, Decimal | int]],
    received: Mapping[K, int] | None = None,
) -> dict[K, Bill[K]]:
    """Each household's bill.

    `weights`: every household with its sharing weight (0 for one that pays nothing).
    The cost is shared by the weights; the subsidy, never more than the cost (DESIGN §3.3),
    is apportioned by the shares so found; the compensation by the weights.
    """
    if cost_fen < 0 or subsidy_fen < 0:
        raise ValueError("造价和补贴不能为负数")
    received = dict(received or {})
    keys = [k for k, _ in weights]
    unknown = set(received) - set(keys)
    if unknown:
        raise ValueError(f"补偿对象不在住户名单中：{sorted(map(str, unknown))}")
    shares = apportion(cost_fen, weights) if any(w for _, w in weights) else dict.fromkeys(keys, 0)
    subsidy = min(subsidy_fen, sum(shares.values()))
    parts = apportion(subsidy, [(k, shares[k]) for k in keys])
    paid = compensation_paid(received, weights)
    return {k: Bill(k, shares[k], parts[k], paid[k], received.get(k, 0)) for k in keys}


def add_months(start: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day
    (2026-01-31 + 1 month → 2026-02-28)."""
    if months < 0:
        raise ValueError(f"月数不能为负数：{months}")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
