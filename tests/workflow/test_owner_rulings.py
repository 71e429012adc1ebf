"""A clerk's rulings on who owns which flat, and what they do to the headcount."""

from __future__ import annotations

import pytest

from workflow import services
from workflow.errors import Forbidden, InvalidInput
from workflow.read import cases as queries

from ..journey import application


def quorum(rt, people, case_id):
    return queries.describe_case(rt, people.clerk.id, case_id)["quorum"]


def sign(rt, people, case_id, room, choice="agree"):
    link = next(
        x for x in services.signing_links(rt, people.owner.id, case_id) if x["room"] == room
    )
    services.sign(
        rt, link["token"], owner_name=link["owner_name"], phone_tail=link["phone"][-4:],
        choice=choice, signature=link["owner_name"],
    )  # fmt: skip


def test_a_clerk_marks_two_flats_as_one_owners_with_a_note(rt, people, journey):
    case_id = journey.case_in("consultation")
    services.mark_same_owner(rt, people.clerk.id, case_id, ["501", "601"], "房产证均为吴淑珍")
    q = quorum(rt, people, case_id)
    assert (q["households"], q["owners"]) == (6, 5)
    assert q["owners_explained"] == "6 户，5 位业主（吴某拥有 501、601 两套）"
    events = queries.history(rt, people.clerk.id, case_id)
    marked = [e for e in events if e["kind"] == "owners_marked"]
    assert marked[0]["payload"] == {"rooms": ["501", "601"], "note": "房产证均为吴淑珍"}


def test_a_clerk_separates_flats_the_roster_took_for_one_owners(rt, people, journey):
    data = application()
    for h in data["households"][4:]:
        h.update(owner_name="吴淑珍", phone="13900000501")
    case_id = services.create_case(rt, people.owner.id, data)
    services.fire(rt, people.owner.id, case_id, "start_consultation")
    assert quorum(rt, people, case_id)["owners"] == 5
    services.separate_owner(rt, people.clerk.id, case_id, "601", "同名同姓，系母女二人")
    assert quorum(rt, people, case_id)["owners"] == 6


def test_differing_votes_of_one_owner_wait_for_the_clerks_ruling(rt, people, journey):
    case_id = journey.case_in("consultation")
    services.mark_same_owner(rt, people.clerk.id, case_id, ["501", "601"], "同一业主")
    for room in ("101", "201", "301", "401", "501"):
        sign(rt, people, case_id, room)
    sign(rt, people, case_id, "601", "object")
    q = quorum(rt, people, case_id)
    assert q["conflicts"][0]["rooms"] == ["501", "601"]
    assert (q["owners_voted"], q["owners_agreed"]) == (5, 4)
    services.record_standing_vote(rt, people.clerk.id, case_id, "501", "按单元议事规则以 501 为准")
    q = quorum(rt, people, case_id)
    assert q["conflicts"] == []
    assert (q["owners_voted"], q["owners_agreed"]) == (5, 5)


def test_a_ruling_needs_its_grounds_and_a_clerk(rt, people, journey):
    case_id = journey.case_in("consultation")
    with pytest.raises(InvalidInput):
        services.mark_same_owner(rt, people.clerk.id, case_id, ["501", "601"], " ")
    with pytest.raises(Forbidden):
        services.mark_same_owner(rt, people.owner.id, case_id, ["501", "601"], "自己说的")
