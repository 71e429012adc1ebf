"""Cost sharing by floor coefficient × area, in fen that add up (DESIGN §3.2)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.rules.cost import default_coefficient, default_coefficients, share_costs, weight


@pytest.mark.parametrize("floor", [1, 2])
def test_floors_one_and_two_pay_nothing(floor):
    assert default_coefficient(floor) == 0


def test_third_floor_is_seven_tenths():
    assert default_coefficient(3) == Decimal("0.7")


def test_sixth_floor_is_one():
    assert default_coefficient(6) == Decimal("1.0")


@pytest.mark.parametrize(("floor", "coefficient"), [(4, "0.8"), (5, "0.9"), (7, "1.1"), (9, "1.3")])
def test_each_floor_above_the_third_adds_a_tenth(floor, coefficient):
    assert default_coefficient(floor) == Decimal(coefficient)


def test_floor_zero_is_refused():
    with pytest.raises(ValueError, match="楼层"):
        default_coefficient(0)


def test_default_coefficients_cover_every_floor_of_the_building():
    assert default_coefficients(6) == {
        1: Decimal("0"),
        2: Decimal("0"),
        3: Decimal("0.7"),
        4: Decimal("0.8"),
        5: Decimal("0.9"),
        6: Decimal("1.0"),
    }


def test_building_without_floors_is_refused():
    with pytest.raises(ValueError, match="楼层数"):
        default_coefficients(0)


def test_weight_is_coefficient_times_area():
    assert weight(Decimal("0.7"), Decimal("85.5")) == Decimal("59.85")


def test_float_coefficient_is_refused():
    with pytest.raises(TypeError):
        weight(0.7, Decimal("85.5"))


def test_negative_area_is_refused():
    with pytest.raises(ValueError, match="负数"):
        weight(Decimal("0.7"), Decimal("-1"))


def test_exact_proportions_need_no_rounding():
    shares = share_costs(1000, [("301", Decimal("1")), ("401", Decimal("3"))])
    assert shares == {"301": 250, "401": 750}


def test_left_over_fen_go_to_the_largest_remainders():
    # 100 × 0.2 / 0.7 = 28.57…, 100 × 0.5 / 0.7 = 71.43…: the 0.57 remainder wins the fen.
    shares = share_costs(100, [("a", Decimal("0.2")), ("b", Decimal("0.5"))])
    assert shares == {"a": 29, "b": 71}


def test_equal_remainders_favour_the_larger_weight():
    # 10 × 1/4 = 2.5 and 10 × 3/4 = 7.5: same remainder, the larger weight gets the fen.
    shares = share_costs(10, [("small", Decimal("1")), ("large", Decimal("3"))])
    assert shares == {"small": 2, "large": 8}


def test_equal_remainders_and_weights_favour_the_earlier_entry():
    shares = share_costs(2, [("a", Decimal("1")), ("b", Decimal("1")), ("c", Decimal("1"))])
    assert shares == {"a": 1, "b": 1, "c": 0}


def test_zero_weight_household_pays_nothing():
    shares = share_costs(
        100_001, [("101", Decimal("0")), ("301", Decimal("1")), ("401", Decimal("1"))]
    )
    assert shares["101"] == 0
    assert sum(shares.values()) == 100_001


def test_zero_total_gives_zero_shares():
    assert share_costs(0, [("a", Decimal("1")), ("b", Decimal("2"))]) == {"a": 0, "b": 0}


def test_typical_six_floor_unit_shares_sum_to_the_total():
    # 12 flats of 85.6 m², two per floor, default coefficients; 300,000 yuan after the subsidy.
    coefficients = default_coefficients(6)
    weights = [
        (f"{floor}0{door}", weight(coefficients[floor], Decimal("85.6")))
        for floor in range(1, 7)
        for door in (1, 2)
    ]
    shares = share_costs(30_000_000, weights)
    assert sum(shares.values()) == 30_000_000
    assert shares["101"] == shares["202"] == 0
    # 0.7 / (2 × (0.7 + 0.8 + 0.9 + 1.0)) of the total = 0.7 / 6.8
    assert shares["301"] == 3_088_235
    assert shares["602"] == 4_411_765


def test_negative_total_is_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        share_costs(-1, [("a", Decimal("1"))])


def test_all_zero_weights_are_refused():
    with pytest.raises(ValueError, match="均为 0"):
        share_costs(100, [("101", Decimal("0")), ("201", Decimal("0"))])


def test_nobody_to_share_with_is_refused():
    with pytest.raises(ValueError, match="均为 0"):
        share_costs(100, [])


def test_negative_weight_is_refused():
    with pytest.raises(ValueError, match="不能为负数"):
        share_costs(100, [("a", Decimal("-1")), ("b", Decimal("2"))])


def test_float_weight_is_refused():
    with pytest.raises(TypeError):
        share_costs(100, [("a", 0.7), ("b", Decimal("1"))])


def test_the_same_household_twice_is_refused():
    with pytest.raises(ValueError, match="重复"):
        share_costs(100, [("a", Decimal("1")), ("a", Decimal("2"))])


weight_lists = st.lists(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("500"), places=3),
    min_size=1,
    max_size=20,
).filter(lambda ws: any(ws))


@given(st.integers(min_value=0, max_value=10**10), weight_lists)
def test_shares_always_sum_to_the_total(total, weights):
    shares = share_costs(total, list(enumerate(weights)))
    assert sum(shares.values()) == total


@given(st.integers(min_value=0, max_value=10**10), weight_lists)
def test_every_share_is_within_one_fen_of_its_exact_share(total, weights):
    shares = share_costs(total, list(enumerate(weights)))
    whole = sum(Fraction(w) for w in weights)
    for i, w in enumerate(weights):
        exact = total * Fraction(w) / whole
        assert exact - 1 < shares[i] < exact + 1
        if w == 0:
            assert shares[i] == 0


@given(st.integers(min_value=0, max_value=10**8), weight_lists)
def test_a_heavier_household_never_pays_less(total, weights):
    shares = share_costs(total, list(enumerate(weights)))
    for i, wi in enumerate(weights):
        for j, wj in enumerate(weights):
            if wi > wj:
                assert shares[i] >= shares[j]
