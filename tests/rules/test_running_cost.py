"""The yearly running cost shared as the owners' agreement says: by the building-cost weights, or
by the agreement's own parts per room; only those who pay a share pay, in fen that add up."""

from decimal import Decimal

import pytest

from workflow.rules.running_cost import MAX_PARTS, parse_parts, running_cost_parts

# (key, room, building-cost weight, pays): 101 pays nothing of the building (floor 1), 501 voted
# against and so pays nothing at all.
UNIT = [
    ("a", "101", Decimal(0), True),
    ("b", "301", Decimal(1), True),
    ("c", "401", Decimal(2), True),
    ("d", "501", Decimal(3), False),
]


@pytest.mark.parametrize(
    ("total", "agreed", "expected"),
    [
        # No parts agreed: the same ratios as the building cost, 1 : 2 among payers.
        (300, None, {"a": 0, "b": 100, "c": 200, "d": 0}),
        # Equal parts for every room: the ground floor pays too, the household against does not.
        (300, {"101": 1, "301": 1, "401": 1, "501": 1}, {"a": 100, "b": 100, "c": 100, "d": 0}),
        # One room carries it all; rooms left out have no part.
        (300, {"301": 1}, {"a": 0, "b": 300, "c": 0, "d": 0}),
        # Percentages are parts of 100: 20% / 30% / 50%.
        (12_000_00, {"101": 20, "301": 30, "401": 50},
         {"a": 240_000, "b": 360_000, "c": 600_000, "d": 0}),
        # 100 fen in three equal parts: the fen left over goes to the first (largest remainder).
        (100, {"101": 1, "301": 1, "401": 1}, {"a": 34, "b": 33, "c": 33, "d": 0}),
        # Nothing to share, or only a household that pays nothing has parts: everyone 0.
        (0, {"301": 1}, {"a": 0, "b": 0, "c": 0, "d": 0}),
        (300, {"501": 5}, {"a": 0, "b": 0, "c": 0, "d": 0}),
    ],
)  # fmt: skip
def test_each_households_yearly_part(total, agreed, expected):
    parts = running_cost_parts(total, UNIT, agreed)
    assert parts == expected
    assert sum(parts.values()) in (0, total)


@pytest.mark.parametrize(
    ("value", "parts"),
    [("3", 3), (3, 3), (" 12 ", 12), ("", 0), (None, 0), ("0", 0), (str(MAX_PARTS), MAX_PARTS)],
)
def test_parts_are_whole_numbers(value, parts):
    assert parse_parts(value) == parts


@pytest.mark.parametrize("value", ["-1", "1.5", 1.5, True, str(MAX_PARTS + 1), "三", "１", "1e3"])
def test_anything_but_a_whole_number_of_parts_is_refused(value):
    with pytest.raises(ValueError, match="份数"):
        parse_parts(value)
