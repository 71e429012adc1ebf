"""The per-elevator subsidy and the approver's amount (DESIGN §3.3)."""

import pytest

from workflow.rules.subsidy import DEFAULT_TIERS, check_grant, subsidy_cap, tier_amount

EXPENSIVE = 50_000_000  # 500,000 yuan: above every tier


@pytest.mark.parametrize(
    ("floors", "amount_fen"),
    [
        (6, 10_000_000),
        (7, 10_000_000),
        (11, 10_000_000),
        (5, 9_000_000),
        (4, 8_000_000),
        (3, 8_000_000),
        (1, 8_000_000),
    ],
)
def test_tier_follows_the_number_of_floors(floors, amount_fen):
    assert subsidy_cap(floors, EXPENSIVE) == amount_fen


def test_cap_is_the_actual_cost_when_the_elevator_cost_less():
    assert subsidy_cap(6, 7_654_321) == 7_654_321


def test_cap_is_the_tier_when_the_cost_equals_it():
    assert subsidy_cap(6, 10_000_000) == 10_000_000


def test_cap_is_the_tier_when_the_cost_is_one_fen_more():
    assert subsidy_cap(6, 10_000_001) == 10_000_000


def test_tiers_from_settings_replace_the_defaults_in_any_order():
    tiers = [[1, 5_000_000], [7, 12_000_000]]  # as it would come from JSON settings
    assert subsidy_cap(7, EXPENSIVE, tiers) == 12_000_000
    assert subsidy_cap(6, EXPENSIVE, tiers) == 5_000_000


def test_building_below_every_tier_gets_nothing():
    assert tier_amount(3, [(4, 8_000_000)]) == 0


def test_default_tiers_are_in_fen():
    assert dict(DEFAULT_TIERS) == {6: 10_000_000, 5: 9_000_000, 1: 8_000_000}


def test_duplicate_tiers_are_refused():
    with pytest.raises(ValueError, match="重复"):
        subsidy_cap(6, EXPENSIVE, [(6, 1), (6, 2)])


def test_negative_tier_amount_is_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        subsidy_cap(6, EXPENSIVE, [(1, -1)])


def test_negative_actual_cost_is_refused():
    with pytest.raises(ValueError, match="实际造价"):
        subsidy_cap(6, -1)


def test_building_without_floors_is_refused():
    with pytest.raises(ValueError, match="楼层数"):
        subsidy_cap(0, EXPENSIVE)


def test_grant_at_the_cap_needs_no_reason():
    assert check_grant(10_000_000, 10_000_000, None) == []


def test_grant_one_fen_above_the_cap_is_refused():
    assert check_grant(10_000_001, 10_000_000, "理由") == [
        "核定补贴金额 100,000.01 元超过上限 100,000.00 元，不予核准"
    ]


def test_grant_below_the_cap_without_a_reason_is_refused():
    assert check_grant(9_999_999, 10_000_000, None) == [
        "核定补贴金额 99,999.99 元低于上限 100,000.00 元，须说明理由"
    ]


def test_grant_below_the_cap_with_a_reason_passes():
    assert check_grant(9_000_000, 10_000_000, "发票金额中含非电梯工程费用") == []


def test_blank_reason_counts_as_no_reason():
    assert len(check_grant(9_000_000, 10_000_000, "  \n")) == 1


@pytest.mark.parametrize("amount", [0, -100])
def test_grant_of_nothing_or_less_is_refused(amount):
    assert "核定补贴金额必须大于 0" in check_grant(amount, 10_000_000, "理由")


def test_every_problem_is_listed_at_once():
    problems = check_grant(0, 10_000_000, None)
    assert problems == [
        "核定补贴金额必须大于 0",
        "核定补贴金额 0.00 元低于上限 100,000.00 元，须说明理由",
    ]
