"""Compensation for the low floors (DESIGN §3.3a): entered with the estimate, paid by those who
carry a share in proportion to it, seen by every signer before voting."""

from __future__ import annotations

import pytest

from tests.journey import application
from web.pdf.render import document_html
from workflow import services
from workflow.errors import Conflict, InvalidInput
from workflow.read.cases import document_preview

GROUND_FLOORS = {"101": "6000.00", "201": "6000.00"}
# 12,000.00 元 over the default weights 56 : 64 : 81 : 90 (301–601, total 291):
# 230,927.84 / 263,917.53 / 334,020.62 / 371,134.02 fen; the floors sum to 1,199,998 and the two
# fen left go to .84 (301) and .62 (501).
PAID = {"101": 0, "201": 0, "301": 230_928, "401": 263_917, "501": 334_021, "601": 371_134}


def _views(rt, people, case_id):
    links = services.signing_links(rt, people.owner.id, case_id)
    return {link["room"]: services.signing_view(rt, link["token"]) for link in links}


def _consultation_with_compensation(rt, people) -> int:
    case_id = services.create_case(rt, people.owner.id, application(compensations=GROUND_FLOORS))
    services.fire(rt, people.owner.id, case_id, "start_consultation")
    return case_id


def test_every_signer_sees_what_it_pays_or_receives_before_voting(rt, people):
    case_id = _consultation_with_compensation(rt, people)
    views = _views(rt, people, case_id)
    assert {room: v.compensation_paid_fen for room, v in views.items()} == PAID
    assert views["101"].compensation_received_fen == 600_000
    assert views["601"].compensation_received_fen == 0
    assert sum(PAID.values()) == 1_200_000


def test_a_change_of_compensation_after_a_vote_restarts_the_consultation(rt, people, journey):
    case_id = _consultation_with_compensation(rt, people)
    journey.sign_all(case_id, ["agree"])  # 101 has voted
    new = {"101": "8000.00", "201": "6000.00"}
    with pytest.raises(Conflict, match="重新发起意见征询"):
        services.patch_case(rt, people.owner.id, case_id, {"compensations": new})
    services.patch_case(
        rt, people.owner.id, case_id,
        {"compensations": new, "restart_consultation": True, "reason": "一楼补偿协商调整"},
    )  # fmt: skip
    views = _views(rt, people, case_id)
    assert views["101"].voted is None
    assert views["101"].compensation_received_fen == 800_000
    assert sum(v.compensation_paid_fen for v in views.values()) == 1_400_000


def test_the_same_compensation_sent_again_keeps_the_votes(rt, people, journey):
    case_id = _consultation_with_compensation(rt, people)
    journey.sign_all(case_id, ["agree"])
    services.patch_case(rt, people.owner.id, case_id, {"compensations": GROUND_FLOORS})
    assert _views(rt, people, case_id)["101"].voted == "agree"


def test_compensation_for_a_flat_not_on_the_roster_is_refused(rt, people):
    with pytest.raises(InvalidInput, match="没有 701 室"):
        services.create_case(rt, people.owner.id, application(compensations={"701": "100"}))


def test_compensation_nobody_can_pay_is_refused(rt, people):
    case_id = services.create_case(rt, people.owner.id, application())
    with pytest.raises(InvalidInput, match="没有分摊费用的住户"):
        services.patch_case(
            rt, people.owner.id, case_id,
            {"coefficients": {str(f): "0" for f in range(1, 7)}, "compensations": {"101": "1"}},
        )  # fmt: skip


def test_the_owners_agreement_prints_the_compensation_table(rt, people):
    case_id = _consultation_with_compensation(rt, people)
    doc = document_preview(rt, people.owner.id, case_id, "owners_agreement")
    rows = {h["room"]: h for h in doc["households"]}
    assert doc["compensation_fen"] == 1_200_000
    assert rows["201"]["compensation_received_fen"] == 600_000
    assert rows["501"]["compensation_paid_fen"] == 334_021
    html = document_html(doc)
    assert "低层补偿" in html and "12,000.00" in html and "3,340.21" in html
