"""Who pays (DESIGN §3.2): by default only the households that agree; a setting restores the
old rule of every household paying."""

from __future__ import annotations

from workflow import services
from workflow.data.models import Case
from workflow.papers import documents


def _sign(rt, people, case_id, votes: dict[str, str]) -> None:
    for link in services.signing_links(rt, people.owner.id, case_id):
        if link["room"] in votes:
            services.sign(
                rt, link["token"], owner_name=link["owner_name"], phone_tail=link["phone"][-4:],
                choice=votes[link["room"]], signature=link["owner_name"],
            )  # fmt: skip


def _publicity_with_an_objecting_top_floor(rt, people, journey) -> int:
    """101–401 agree, 501 stays away, 601 objects: the quorum is met (4 of 5, 300 of 390 m²)."""
    case_id = journey.case_in("consultation")
    _sign(rt, people, case_id, {"101": "agree", "201": "agree", "301": "agree", "401": "agree",
                                "601": "object"})  # fmt: skip
    services.fire(rt, people.owner.id, case_id, "finish_consultation", {"place": "单元门口"})
    return case_id


def test_objecting_and_absent_households_pay_nothing_and_the_rest_sum_to_the_fen(
    rt, people, journey
):
    case_id = _publicity_with_an_objecting_top_floor(rt, people, journey)
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        shares = documents.cost_shares(case, 10_000_000)
        by_room = {h.room: shares[h.id] for h in case.households}
    assert by_room["601"] == 0 and by_room["501"] == 0
    assert by_room["301"] > 0 and by_room["401"] > by_room["301"]
    assert sum(shares.values()) == 60_000_000 - 10_000_000


def test_the_old_rule_charges_every_household(rt, people, journey):
    case_id = _publicity_with_an_objecting_top_floor(rt, people, journey)
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        shares = documents.cost_shares(case, 10_000_000, "everyone")
        by_room = {h.room: shares[h.id] for h in case.households}
    assert by_room["601"] > by_room["501"] > 0
    assert sum(shares.values()) == 50_000_000


def test_while_voting_is_open_a_household_yet_to_vote_sees_what_it_would_pay(rt, people, journey):
    case_id = journey.case_in("consultation")
    journey.sign_all(case_id, ["agree", "agree", "agree", "object"])  # 501 and 601 not yet
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        shares = documents.cost_shares(case, 0)
        by_room = {h.room: shares[h.id] for h in case.households}
    assert by_room["401"] == 0
    assert by_room["501"] > 0 and by_room["601"] > 0
    assert sum(shares.values()) == 60_000_000
