"""Each household's bill: shares, subsidy parts, compensation and 公积金 (DESIGN §3.3a).

Every figure below is worked by hand in the comment beside it.
"""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.rules.bill import add_months, bills, compensation_paid


def _table(result):
    return {
        k: (b.share_fen, b.subsidy_fen, b.compensation_paid_fen, b.compensation_received_fen)
        for k, b in result.items()
    }


@pytest.mark.parametrize(
    ("case", "received", "weights", "paid"),
    [
        # 10.00 元 over three equal weights: 333.33 fen each, the one fen left goes to the tie's
        # first entry.
        ("ties", {"101": 1000}, [("101", 0), ("301", 1), ("401", 1), ("501", 1)],
         {"101": 0, "301": 334, "401": 333, "501": 333}),
        # Only 601 carries a share: it pays both ground-floor flats' 6,000 元.
        ("one payer", {"101": 600_000, "102": 600_000},
         [("101", 0), ("102", 0), ("601", Decimal("80.00"))],
         {"101": 0, "102": 0, "601": 1_200_000}),
        # 1,000 fen over weights 56 : 64 : 72 : 80 (0.7…1.0 × 80 m²), total 272:
        # 205.88, 235.29, 264.70, 294.11 → floors 205+235+264+294 = 998; the two fen left go to
        # the largest remainders .88 and .70.
        ("by weight", {"101": 1000},
         [("101", 0), ("301", Decimal("56")), ("401", Decimal("64")),
          ("501", Decimal("72")), ("601", Decimal("80"))],
         {"101": 0, "301": 206, "401": 235, "501": 265, "601": 294}),
        ("nothing owed", {}, [("101", 0), ("102", 0)], {"101": 0, "102": 0}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)  # fmt: skip
def test_compensation_is_paid_in_proportion_to_shares(case, received, weights, paid):
    assert compensation_paid(received, weights) == paid
    assert sum(paid.values()) == sum(received.values())


def test_compensation_without_anyone_carrying_a_share_is_refused():
    with pytest.raises(ValueError, match="没有分摊费用的住户"):
        compensation_paid({"101": 100}, [("101", 0), ("102", 0)])


def test_the_estimate_is_shared_by_floor_weights_to_the_fen():
    # 480,000.00 元 over 56 : 64 : 72 : 80 (total 272): 9,882,352.94 / 11,294,117.65 /
    # 12,705,882.35 / 14,117,647.06 fen; the floors sum to 47,999,998, the two fen left go to
    # .94 (301) and .65 (401).
    weights = [("101", 0), ("201", 0), ("301", Decimal("56")), ("401", Decimal("64")),
               ("501", Decimal("72")), ("601", Decimal("80"))]  # fmt: skip
    result = bills(48_000_000, 0, weights)
    assert [b.share_fen for b in result.values()] == [
        0, 0, 9_882_353, 11_294_118, 12_705_882, 14_117_647,
    ]  # fmt: skip
    assert sum(b.share_fen for b in result.values()) == 48_000_000


def test_every_household_paying_gets_its_part_of_the_subsidy_by_share():
    # 6.00 元 over 1 : 2 : 3 → 100, 200, 300 fen; the subsidy 1.00 元 by those shares:
    # 16.67, 33.33, 50 → 16 + 33 + 50 = 99, the fen left to .67 → 17, 33, 50.
    result = bills(600, 100, [("a", 1), ("b", 2), ("c", 3)])
    assert _table(result) == {"a": (100, 17, 0, 0), "b": (200, 33, 0, 0), "c": (300, 50, 0, 0)}
    assert [b.net_fen for b in result.values()] == [83, 167, 250]
    assert [b.provident_fund_max_fen for b in result.values()] == [83, 167, 250]


def test_compensation_larger_than_a_share_is_paid_in_full():
    # Cost 10.00 元 over 1 : 3 → 250, 750; subsidy 9.00 元 → 225, 675; own parts 25, 75.
    # The ground floor receives 4.00 元, paid 100 and 300: "a" pays four times its own part.
    result = bills(1000, 900, [("g", 0), ("a", 1), ("b", 3)], {"g": 400})
    assert _table(result) == {
        "g": (0, 0, 0, 400),
        "a": (250, 225, 100, 0),
        "b": (750, 675, 300, 0),
    }
    assert [b.net_fen for b in result.values()] == [-400, 125, 375]
    # Compensation is between neighbours, not a cost of the elevator: no 公积金 for it.
    assert [b.provident_fund_max_fen for b in result.values()] == [0, 25, 75]


def test_a_subsidy_above_the_cost_is_capped_at_the_cost():
    # 100,000 元 granted on a 5,000 元 elevator: the owners' parts are the whole cost, never more.
    result = bills(500_000, 10_000_000, [("a", 1), ("b", 1)])
    assert [b.subsidy_fen for b in result.values()] == [250_000, 250_000]
    assert [b.net_fen for b in result.values()] == [0, 0]
    assert [b.provident_fund_max_fen for b in result.values()] == [0, 0]


def test_a_household_outside_the_roster_cannot_be_compensated():
    with pytest.raises(ValueError, match="补偿对象"):
        bills(1000, 0, [("a", 1)], {"z": 100})


@given(
    cost=st.integers(0, 10**9),
    subsidy=st.integers(0, 10**9),
    weights=st.lists(st.integers(0, 500), min_size=1, max_size=12).filter(any),
    compensation=st.lists(st.integers(0, 10**7), max_size=3),
)
def test_every_sum_holds_exactly(cost, subsidy, weights, compensation):
    keys = [f"h{i}" for i in range(len(weights))]
    received = dict(zip(keys, compensation, strict=False))
    result = bills(cost, subsidy, list(zip(keys, weights, strict=True)), received)
    assert sum(b.share_fen for b in result.values()) == cost
    assert sum(b.subsidy_fen for b in result.values()) == min(cost, subsidy)
    assert sum(b.compensation_paid_fen for b in result.values()) == sum(received.values())
    assert all(0 <= b.subsidy_fen <= b.share_fen for b in result.values())


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 12, 7), 0, date(2026, 12, 7)),
    ],
)
def test_the_provident_fund_deadline_is_months_after_registration(start, months, end):
    assert add_months(start, months) == end
