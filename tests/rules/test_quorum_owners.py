"""Owners counted as the law counts them (法释〔2009〕7号第九条): one person for several flats."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from workflow.rules.quorum import Ballot, consent_quorum

ZHANG = "420683198001011234"


def six_flats(*choices, owners=None):
    """Six flats of 100 m²; `owners` maps a flat's index to its owner key."""
    owners = owners or {}
    return [Ballot(Decimal(100), c, owners.get(i)) for i, c in enumerate(choices)]


def test_one_person_owning_two_of_six_flats_is_one_of_five_owners():
    # 张 owns 501 and 601 (indexes 4 and 5).
    ballots = six_flats(None, None, "agree", "agree", "agree", "agree", owners={4: ZHANG, 5: ZHANG})
    result = consent_quorum(ballots)
    assert (result.households, result.owners) == (6, 5)
    assert result.participation_area == Fraction(2, 3)
    assert result.participation_count == Fraction(3, 5)
    assert not result.participation_met
    assert not result.met


def test_a_fifth_flat_voting_meets_both_counts():
    ballots = six_flats(
        None, "agree", "agree", "agree", "agree", "agree", owners={4: ZHANG, 5: ZHANG}
    )
    result = consent_quorum(ballots)
    assert result.participation_area == Fraction(5, 6)
    assert result.participation_count == Fraction(4, 5)
    assert result.agree_count == Fraction(4, 4)
    assert result.met


def test_the_old_count_would_have_passed_the_same_four_flats():
    ballots = six_flats(None, None, "agree", "agree", "agree", "agree")
    assert consent_quorum(ballots).participation_count == Fraction(2, 3)


def test_a_person_with_three_flats_counts_once():
    ballots = six_flats(
        "agree", "agree", "agree", None, None, None, owners={0: "a", 1: "a", 2: "a"}
    )
    result = consent_quorum(ballots)
    assert (result.owners, result.owners_voted, result.owners_agreed) == (4, 1, 1)
    assert result.participation_area == Fraction(1, 2)
    assert result.participation_count == Fraction(1, 4)
    assert result.missing[0].startswith("参与表决还需 ")


def test_one_flat_of_a_person_voting_makes_the_person_take_part():
    ballots = six_flats("agree", None, None, None, None, None, owners={0: "a", 1: "a"})
    result = consent_quorum(ballots)
    assert (result.owners, result.owners_voted) == (5, 1)
    assert result.participation_area == Fraction(1, 6)


def test_co_owners_of_one_flat_are_one_vote():
    # "张三、李四" own 301 together: the flat is one ballot, and one person in the count.
    ballots = six_flats("agree", "agree", "agree", "agree", "object", None)
    result = consent_quorum(ballots)
    assert (result.owners, result.owners_voted, result.owners_agreed) == (6, 5, 4)
    assert result.agree_count == Fraction(4, 5)


def test_developer_held_flats_count_as_one_owner_together():
    ballots = six_flats("agree", "agree", "agree", "agree", None, None, owners={4: "dev", 5: "dev"})
    result = consent_quorum(ballots)
    assert result.owners == 5
    assert result.participation_count == Fraction(4, 5)


def test_one_persons_flats_voting_differently_do_not_count_as_agreeing_until_ruled():
    owners = {4: ZHANG, 5: ZHANG}
    ballots = six_flats("agree", "agree", "agree", "agree", "agree", "object", owners=owners)
    result = consent_quorum(ballots)
    assert result.conflicts == ((4, 5),)
    assert (result.owners_voted, result.owners_agreed) == (5, 4)
    ruled = ballots[:4] + [Ballot(Decimal(100), "agree", ZHANG, stands=True), ballots[5]]
    result = consent_quorum(ruled)
    assert result.conflicts == ()
    assert (result.owners_voted, result.owners_agreed) == (5, 5)
    # Area stays per flat: the objecting flat's area is still against.
    assert result.agree_area == Fraction(5, 6)


def _old_rule(ballots):
    """Before owners were recognised: every flat one owner."""
    voted = [b for b in ballots if b.choice is not None]
    agreed = [b for b in voted if b.choice == "agree"]
    count = Fraction(len(voted), len(ballots))
    agree = Fraction(len(agreed), len(voted)) if voted else Fraction(0)
    return count, agree


rosters = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("20"), max_value=Decimal("200"), places=2),
        st.sampled_from(["agree", "object", "abstain", None]),
    ),
    min_size=2,
    max_size=12,
)


@given(rosters)
def test_with_every_owner_distinct_the_count_is_the_old_rule(rows):
    anonymous = [Ballot(area, choice) for area, choice in rows]
    distinct = [Ballot(area, choice, f"owner-{i}") for i, (area, choice) in enumerate(rows)]
    before, now = consent_quorum(anonymous), consent_quorum(distinct)
    assert now == before
    assert (now.participation_count, now.agree_count) == _old_rule(anonymous)
    assert (now.owners, now.owners_voted, now.owners_agreed) == (
        now.households, now.voted, now.agreed,
    )  # fmt: skip


@given(rosters, st.data())
def test_missing_participants_said_with_shared_owners_are_enough(rows, data):
    owner_of = data.draw(st.lists(st.integers(0, 3), min_size=len(rows), max_size=len(rows)))
    ballots = [Ballot(a, c, owner_of[i]) for i, (a, c) in enumerate(rows)]
    result = consent_quorum(ballots)
    if result.participation_met or not result.missing:
        return
    import re

    k = int(re.match(r"参与表决还需 (\d+) 户", result.missing[0])[1])
    # Everyone voting is always enough; the hint never asks for more flats than are open.
    assert k <= sum(1 for b in ballots if b.choice is None)
