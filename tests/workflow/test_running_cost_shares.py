"""The elevator's yearly running cost shared as the owners' agreement says: by its own parts per
room when it sets them, else by the same ratios as the building cost; entered with the costs,
seen by every signer and printed in the agreement, and changed after a vote only by restarting
the consultation."""

from __future__ import annotations

import pytest

from tests.journey import MANAGEMENT_UNIT, application
from web.pdf.render import document_html
from workflow import services
from workflow.errors import Conflict, InvalidInput
from workflow.read.cases import describe_case, document_preview

# 12,000 元 a year (the journey's figure) in 12 parts: 1,000.00 元 a part.
PARTS = {"101": 1, "201": 1, "301": 2, "401": 2, "501": 3, "601": 3}
YEARLY = {"101": 100_000, "201": 100_000, "301": 200_000, "401": 200_000, "501": 300_000,
          "601": 300_000}  # fmt: skip


def _views(rt, people, case_id):
    links = services.signing_links(rt, people.owner.id, case_id)
    return {link["room"]: services.signing_view(rt, link["token"]) for link in links}


def _consultation(rt, people, journey, parts=PARTS) -> int:
    case_id = journey.new_case()
    services.patch_case(rt, people.owner.id, case_id, {"running_cost_shares": parts})
    services.fire(rt, people.owner.id, case_id, "start_consultation")
    return case_id


def test_every_signer_sees_its_yearly_part_by_the_agreed_parts(rt, people, journey):
    case_id = _consultation(rt, people, journey)
    views = _views(rt, people, case_id)
    assert {room: v.running_share_fen for room, v in views.items()} == YEARLY
    assert views["301"].running_parts == (2, 12)
    costs = describe_case(rt, people.owner.id, case_id)["costs"]
    assert costs["running_cost_shares"] == PARTS


def test_without_agreed_parts_the_running_cost_follows_the_cost_ratios(rt, people, journey):
    case_id = journey.new_case()
    services.fire(rt, people.owner.id, case_id, "start_consultation")
    views = _views(rt, people, case_id)
    assert views["101"].running_share_fen == 0 and views["101"].running_parts is None
    assert sum(v.running_share_fen for v in views.values()) == 1_200_000
    # 80 × 0.7 = 56 of 56 + 64 + 81 + 90 = 291: 230,927.84 fen, and 301 takes one fen left over.
    assert views["301"].running_share_fen == 230_928


def test_a_household_against_pays_no_part(rt, people, journey):
    case_id = _consultation(rt, people, journey)
    journey.sign_all(case_id, ["agree"] * 5 + ["object"])
    views = _views(rt, people, case_id)
    # 601 objects: 12,000 元 over the 9 parts left, 133,333.33 fen a part; the two fen left
    # over go to the largest remainders, .67 of 301 and of 401.
    assert {room: v.running_share_fen for room, v in views.items()} == {
        "101": 133_333, "201": 133_333, "301": 266_667, "401": 266_667, "501": 400_000, "601": 0,
    }  # fmt: skip


def test_a_change_of_parts_after_a_vote_restarts_the_consultation(rt, people, journey):
    case_id = _consultation(rt, people, journey)
    journey.sign_all(case_id, ["agree"])  # 101 has voted
    new = {**PARTS, "101": 0}
    with pytest.raises(Conflict, match="重新发起意见征询"):
        services.patch_case(rt, people.owner.id, case_id, {"running_cost_shares": new})
    services.patch_case(
        rt, people.owner.id, case_id,
        {"running_cost_shares": new, "restart_consultation": True, "reason": "一楼不分摊运行费"},
    )  # fmt: skip
    views = _views(rt, people, case_id)
    assert views["101"].voted is None and views["101"].running_share_fen == 0
    # 11 parts: 109,090.91 fen a part; of the four fen left over, 201 (.909), 301 and 401 (.818)
    # take one each, and of the equal .727 of 501 and 601 the earlier room takes the last.
    assert {room: v.running_share_fen for room, v in views.items()} == {
        "101": 0, "201": 109_091, "301": 218_182, "401": 218_182, "501": 327_273, "601": 327_272,
    }  # fmt: skip
    # Back to the same ratios (null), again only by restarting.
    journey.sign_all(case_id, ["agree"])
    with pytest.raises(Conflict, match="重新发起意见征询"):
        services.patch_case(rt, people.owner.id, case_id, {"running_cost_shares": None})


def test_the_same_parts_sent_again_keep_the_votes(rt, people, journey):
    case_id = _consultation(rt, people, journey)
    journey.sign_all(case_id, ["agree"])
    services.patch_case(rt, people.owner.id, case_id, {"running_cost_shares": dict(PARTS)})
    services.patch_case(rt, people.owner.id, case_id, {"estimated_cost": "600000"})
    assert _views(rt, people, case_id)["101"].voted == "agree"


def test_parts_are_fixed_once_the_notice_starts(rt, people, journey):
    case_id = journey.case_in("publicity")
    with pytest.raises(Conflict, match="公示开始后"):
        services.patch_case(rt, people.owner.id, case_id, {"running_cost_shares": PARTS})


def test_parts_for_a_flat_not_on_the_roster_or_not_whole_are_refused(rt, people):
    with pytest.raises(InvalidInput, match="没有 701 室"):
        services.create_case(rt, people.owner.id, application(running_cost_shares={"701": 1}))
    case_id = services.create_case(
        rt, people.owner.id, application(running_cost_shares={"301": 1, "401": "1"})
    )
    costs = describe_case(rt, people.owner.id, case_id)["costs"]
    assert costs["running_cost_shares"] == {"301": 1, "401": 1}
    with pytest.raises(InvalidInput) as err:
        services.patch_case(rt, people.owner.id, case_id, {"running_cost_shares": {"301": "1.5"}})
    [m] = err.value.messages
    assert m.code == "running_cost_shares.301" and "整数" in m.zh


def test_the_owners_agreement_prints_the_unit_and_each_yearly_part(rt, people, journey):
    case_id = _consultation(rt, people, journey)
    doc = document_preview(rt, people.owner.id, case_id, "owners_agreement")
    assert doc["running_parts_total"] == 12 and doc["running_cost_fen"] == 1_200_000
    rows = {h["room"]: h for h in doc["households"]}
    assert rows["501"]["running_parts"] == 3 and rows["501"]["running_share_fen"] == 300_000
    html = document_html(doc)
    assert MANAGEMENT_UNIT["name"] in html and "各户合计12份" in html
    assert 'id="running-cost-table"' in html and "3,000.00" in html
