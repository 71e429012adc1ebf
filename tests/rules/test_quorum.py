"""Consent quorum, 民法典第二百七十八条: 2/3 take part, 3/4 of the participants agree."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.rules.quorum import (
    Ballot,
    QuorumThresholds,
    consent_quorum,
    format_ratio,
    ratio_str,
)


def unit(*choices, area="100"):
    """A unit of equal flats: one ballot per choice (None = not voted yet)."""
    return [Ballot(Decimal(area), choice) for choice in choices]


# Participation


def test_exact_two_thirds_participation_passes():
    result = consent_quorum(unit("agree", "agree", "agree", "agree", None, None))
    assert result.participation_count == Fraction(2, 3)
    assert result.participation_area == Fraction(2, 3)
    assert result.participation_met


def test_one_household_less_fails():
    result = consent_quorum(unit("agree", "agree", "agree", None, None, None))
    assert not result.participation_met
    assert not result.met
    assert result.missing == ("参与表决还需 1 户（专有面积还需 100 m²）",)


def test_two_thirds_of_owners_with_less_than_two_thirds_of_area_fails():
    ballots = unit("agree", "agree", "agree", "agree", area="50") + unit(None, None, area="100")
    result = consent_quorum(ballots)
    assert result.participation_count == Fraction(2, 3)
    assert result.participation_area == Fraction(1, 2)
    assert not result.participation_met


def test_two_thirds_of_area_with_less_than_two_thirds_of_owners_fails():
    ballots = unit("agree", "agree", area="200") + unit(None, None, area="50")
    result = consent_quorum(ballots)
    assert result.participation_area == Fraction(4, 5)
    assert result.participation_count == Fraction(1, 2)
    assert not result.participation_met


def test_exact_two_thirds_of_decimal_areas_passes():
    # 33.34 + 33.33 of 100.00: the area ratio is exactly 6667/10000 ≥ 2/3.
    ballots = [
        Ballot(Decimal("33.34"), "agree"),
        Ballot(Decimal("33.33"), "agree"),
        Ballot(Decimal("33.33"), None),
    ]
    assert consent_quorum(ballots).participation_met


def test_area_a_hundredth_short_of_two_thirds_fails():
    ballots = [
        Ballot(Decimal("33.33"), "agree"),
        Ballot(Decimal("33.33"), "agree"),
        Ballot(Decimal("33.34"), None),
    ]
    result = consent_quorum(ballots)
    assert not result.participation_met
    assert result.missing == ("参与表决还需 1 户（专有面积还需 0.01 m²）",)


def test_abstaining_counts_as_participating():
    result = consent_quorum(unit("abstain", "abstain", "agree", "agree", None, None))
    assert result.voted == 4
    assert result.participation_met


def test_objecting_counts_as_participating():
    result = consent_quorum(unit("object", "agree", "agree", "agree", None, None))
    assert result.voted == 4
    assert result.participation_met


def test_missing_area_is_rounded_up_to_the_hundredth():
    # 2/3 of 100 m² is 66.666… m²: showing 66.66 would understate what is needed.
    ballots = [Ballot(Decimal(a), None) for a in ("50", "25", "25")]
    result = consent_quorum(ballots)
    assert result.missing[0] == "参与表决还需 2 户（专有面积还需 66.67 m²）"


def test_missing_households_count_the_largest_flats_first():
    # Enough owners already, not enough area: the one 100 m² flat closes the gap alone.
    ballots = unit("agree", "agree", "agree", "agree", area="10") + [
        Ballot(Decimal("30"), None),
        Ballot(Decimal("100"), None),
    ]
    result = consent_quorum(ballots)
    assert result.missing[0] == "参与表决还需 1 户（专有面积还需 73.34 m²）"


def test_missing_owners_without_missing_area_mentions_no_area():
    ballots = unit("agree", "agree", area="300") + unit(None, None, None, None, area="10")
    result = consent_quorum(ballots)
    assert result.participation_area >= Fraction(2, 3)
    assert result.missing == ("参与表决还需 2 户",)


# Agreement


def test_exact_three_quarters_agreement_passes():
    result = consent_quorum(unit("agree", "agree", "agree", "object"))
    assert result.agree_count == Fraction(3, 4)
    assert result.agree_area == Fraction(3, 4)
    assert result.agreement_met
    assert result.met


def test_one_agreement_less_fails():
    result = consent_quorum(unit("agree", "agree", "agree", "object", "object", None))
    assert result.agree_count == Fraction(3, 5)
    assert not result.agreement_met
    assert not result.met


def test_three_quarters_of_owners_with_less_than_three_quarters_of_area_fails():
    ballots = unit("agree", "agree", "agree", area="50") + unit("object", area="100")
    result = consent_quorum(ballots)
    assert result.agree_count == Fraction(3, 4)
    assert result.agree_area == Fraction(3, 5)
    assert not result.agreement_met


def test_abstaining_does_not_count_as_agreeing():
    result = consent_quorum(unit("agree", "agree", "agree", "abstain", "abstain", None))
    assert result.agree_count == Fraction(3, 5)
    assert not result.agreement_met


def test_agreement_is_measured_against_participants_only():
    result = consent_quorum(unit("agree", "agree", "agree", "object", None, None))
    assert result.agree_count == Fraction(3, 4)
    assert result.agree_area == Fraction(3, 4)


def test_nobody_voted_gives_zero_agreement_and_is_not_met():
    result = consent_quorum(unit(None, None, None))
    assert result.agree_count == 0
    assert result.agree_area == 0
    assert not result.agreement_met
    assert result.missing[1] == "尚无住户表决；参与表决的住户中，同意的须达到户数和面积的 3/4"


def test_agreement_gap_assumes_new_agreeing_households():
    # 3 agree of 5 voters; three more agreeing flats make 6 of 8 = 3/4.
    result = consent_quorum(unit("agree", "agree", "agree", "object", "object", None, None, None))
    assert "同意还需 3 户（同意面积还需 300 m²）" in result.missing


def test_agreement_out_of_reach_of_remaining_households_says_so():
    result = consent_quorum(unit("object", "object", "agree", "agree", None, None))
    assert result.missing == ("同意比例未达到 3/4：未表决的 2 户全部同意也无法达到",)


def test_agreement_failed_after_everyone_voted_says_so():
    result = consent_quorum(unit("object", "object", "agree", "agree"))
    assert result.missing == ("同意比例未达到 3/4，且所有住户均已表决",)


def test_participation_and_agreement_both_missing_are_both_listed():
    result = consent_quorum(unit("agree", "object", None, None, None, None))
    assert len(result.missing) == 2
    assert result.missing[0].startswith("参与表决还需")
    assert result.missing[1].startswith("同意还需")


def test_nothing_missing_when_met():
    result = consent_quorum(unit("agree", "agree", "agree", "agree", None, None))
    assert result.met
    assert result.missing == ()
    assert result.missing_en == ()


def test_every_missing_item_has_an_english_equivalent():
    result = consent_quorum(unit("agree", "object", None, None, None, None))
    assert result.missing_en == (
        "Participation needs 2 more households (200 m² more exclusive area)",
        "Agreement needs 2 more agreeing households (200 m² more agreeing area)",
    )


def test_english_says_when_agreement_is_out_of_reach():
    result = consent_quorum(unit("object", "object", "agree", "agree", None))
    assert result.missing_en == (
        "Agreement cannot reach 3/4 even if all 1 household yet to vote agree",
    )


# Settings, input and display


def test_thresholds_from_settings_are_honoured():
    simple_majority = QuorumThresholds(participation=Fraction(1, 2), agreement=Fraction(1, 2))
    ballots = unit("agree", "object", None, None)
    assert not consent_quorum(ballots).met
    assert consent_quorum(ballots, simple_majority).met


@pytest.mark.parametrize("bad", [Fraction(0), Fraction(-1, 2), Fraction(5, 4)])
def test_threshold_outside_zero_to_one_is_refused(bad):
    with pytest.raises(ValueError, match="表决比例"):
        QuorumThresholds(participation=bad)


def test_unanimity_is_met_when_every_voter_agrees():
    unanimous = QuorumThresholds(agreement=Fraction(1))
    result = consent_quorum(unit("agree", None, None), unanimous)
    assert result.agreement_met and result.missing == ("参与表决还需 1 户（专有面积还需 100 m²）",)


def test_empty_roster_is_not_met():
    result = consent_quorum([])
    assert not result.met
    assert result.participation_count == 0
    assert result.missing == ("尚未登记住户，无法表决",)


def test_unknown_choice_is_refused():
    with pytest.raises(ValueError, match="未知的表决意见"):
        Ballot(Decimal("80"), "maybe")


def test_float_area_is_refused():
    with pytest.raises(TypeError):
        Ballot(80.5, "agree")


def test_zero_area_is_refused():
    with pytest.raises(ValueError, match="专有面积必须大于 0"):
        Ballot(Decimal("0"), "agree")


def test_counts_for_display():
    ballots = [
        Ballot(Decimal("80.5"), "agree"),
        Ballot(Decimal("90.25"), "object"),
        Ballot(Decimal("100"), "abstain"),
        Ballot(Decimal("70"), None),
    ]
    result = consent_quorum(ballots)
    assert (result.households, result.voted, result.agreed) == (4, 3, 1)
    assert result.total_area == Decimal("340.75")
    assert result.voted_area == Decimal("270.75")
    assert result.agree_area_m2 == Decimal("80.5")


def test_format_ratio_shows_two_thirds_as_percent():
    assert format_ratio(Fraction(2, 3)) == "66.67%"


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        (Fraction(0), "0.00%"),
        (Fraction(1), "100.00%"),
        (Fraction(3, 4), "75.00%"),
        (Fraction(1, 3), "33.33%"),
        (Fraction(1, 20000), "0.01%"),  # exactly half a hundredth: half-up, not half-even
        (Fraction(1, 20001), "0.00%"),
    ],
)
def test_format_ratio_rounds_half_up(ratio, shown):
    assert format_ratio(ratio) == shown


def test_ratio_str_is_the_reduced_fraction():
    assert ratio_str(Fraction(4, 6)) == "2/3"
    assert ratio_str(Fraction(1)) == "1/1"


# Properties: what "still missing" says is enough, and no fewer would do.

rosters = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("20"), max_value=Decimal("200"), places=2),
        st.sampled_from(["agree", "object", "abstain", None]),
    ),
    min_size=2,
    max_size=12,
).map(lambda rows: [Ballot(area, choice) for area, choice in rows])


def _after_new_agreements(ballots, k):
    """The roster after the k largest flats yet to vote agree."""
    open_ = sorted(
        (i for i, b in enumerate(ballots) if b.choice is None),
        key=lambda i: ballots[i].area,
        reverse=True,
    )[:k]
    return [Ballot(b.area, "agree") if i in open_ else b for i, b in enumerate(ballots)]


def _households_needed(missing, prefix):
    for line in missing:
        if match := re.match(prefix + r" (\d+) 户", line):
            return int(match[1])
    return None


@given(rosters)
def test_missing_participants_are_enough_and_no_fewer_would_do(ballots):
    result = consent_quorum(ballots)
    k = _households_needed(result.missing, "参与表决还需")
    if result.participation_met:
        assert k is None
        return
    assert consent_quorum(_after_new_agreements(ballots, k)).participation_met
    assert not consent_quorum(_after_new_agreements(ballots, k - 1)).participation_met


@given(rosters)
def test_missing_agreements_are_enough_and_no_fewer_would_do(ballots):
    result = consent_quorum(ballots)
    k = _households_needed(result.missing, "同意还需")
    if k is None:
        return
    assert consent_quorum(_after_new_agreements(ballots, k)).agreement_met
    assert not consent_quorum(_after_new_agreements(ballots, k - 1)).agreement_met


@given(rosters)
def test_agreement_said_out_of_reach_is_out_of_reach(ballots):
    result = consent_quorum(ballots)
    if not any("无法达到" in line or "均已表决" in line for line in result.missing):
        return
    everyone_agrees = _after_new_agreements(ballots, len(ballots))
    assert not consent_quorum(everyone_agrees).agreement_met
