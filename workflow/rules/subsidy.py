"""The fiscal subsidy per elevator (DESIGN §3.3).

Built first, subsidised after acceptance: the amount depends on the building's number of
floors, is never more than what the elevator actually cost, and the approver may grant less
(with a reason on file) but never more.
"""

from collections.abc import Iterable

from workflow.rules.money import yuan

# (min_floors, amount_fen): the row with the largest min_floors not above the building's floors
# applies. Settings may replace the whole table, e.g. from JSON as [[6, 10000000], ...].
DEFAULT_TIERS: tuple[tuple[int, int], ...] = (
    (6, 10_000_000),  # 6 floors or more: 100,000 yuan
    (5, 9_000_000),  # 5 floors: 90,000 yuan
    (1, 8_000_000),  # 4 floors or fewer: 80,000 yuan
)


def tier_amount(floors: int, tiers: Iterable[tuple[int, int]] = DEFAULT_TIERS) -> int:
    """The per-elevator amount for a building of `floors` floors; 0 when no tier applies."""
    if floors < 1:
        raise ValueError(f"楼层数必须至少为 1：{floors}")
    rows = [(int(min_floors), int(amount)) for min_floors, amount in tiers]
    if len({min_floors for min_floors, _ in rows}) != len(rows):
        raise ValueError("补贴档次的起始楼层重复")
    if any(amount < 0 for _, amount in rows):
        raise ValueError("补贴档次金额不能为负数")
    applicable = [row for row in rows if row[0] <= floors]
    return max(applicable)[1] if applicable else 0


def subsidy_cap(
    floors: int, actual_cost_fen: int, tiers: Iterable[tuple[int, int]] = DEFAULT_TIERS
) -> int:
    """The most that may be granted: the tier amount, but never above the actual cost."""
    if actual_cost_fen < 0:
        raise ValueError(f"实际造价不能为负数：{yuan(actual_cost_fen)} 元")
    return min(tier_amount(floors, tiers), actual_cost_fen)


def check_grant(amount_fen: int, cap_fen: int, reason: str | None) -> list[str]:
    """Every reason the approver's amount cannot be granted as is; empty when it can."""
    problems = []
    if amount_fen <= 0:
        problems.append("核定补贴金额必须大于 0")
    if amount_fen > cap_fen:
        problems.append(f"核定补贴金额 {yuan(amount_fen)} 元超过上限 {yuan(cap_fen)} 元，不予核准")
    elif amount_fen < cap_fen and not (reason and reason.strip()):
        problems.append(
            f"核定补贴金额 {yuan(amount_fen)} 元低于上限 {yuan(cap_fen)} 元，须说明理由"
        )
    return problems
