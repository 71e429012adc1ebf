"""好差评's arithmetic: shares that add up, bad ratings and rectification on time."""

from datetime import date, datetime

from workflow.rules.ratings import LEVELS, Rated, shares, summary


def test_five_levels_from_very_satisfied_to_very_dissatisfied():
    assert [LEVELS[k] for k in (5, 4, 3, 2, 1)] == [
        "非常满意", "满意", "基本满意", "不满意", "非常不满意"
    ]  # fmt: skip


def test_shares_are_whole_percentages_that_add_up_to_100():
    got = shares({5: 1, 4: 1, 3: 1, 2: 0, 1: 0})
    assert sum(got.values()) == 100 and sorted(got.values()) == [0, 0, 33, 33, 34]


def test_no_ratings_no_shares():
    assert shares({5: 0, 4: 0, 3: 0, 2: 0, 1: 0}) == {5: 0, 4: 0, 3: 0, 2: 0, 1: 0}


def test_summary_per_month_and_desk_counts_bad_ones_rectified_on_time():
    rows = [
        Rated(datetime(2026, 11, 3, 9), "window", 5, None, None),
        Rated(datetime(2026, 11, 4, 9), "window", 1, date(2026, 11, 24), datetime(2026, 11, 20, 9)),
        Rated(datetime(2026, 11, 5, 9), "window", 2, date(2026, 11, 25), datetime(2026, 11, 30, 9)),
        Rated(datetime(2026, 11, 6, 9), "housing", 4, None, None),
        Rated(datetime(2026, 12, 1, 9), "window", 3, None, None),
    ]
    out = {(r["month"], r["desk"]): r for r in summary(rows)}
    nov = out[("2026-11", "window")]
    assert (nov["count"], nov["bad"], nov["rectified_on_time"]) == (3, 2, 1)
    assert nov["counts"] == {5: 1, 4: 0, 3: 0, 2: 1, 1: 1}
    assert out[("2026-11", "housing")]["shares"][4] == 100
    assert out[("2026-12", "window")]["count"] == 1
