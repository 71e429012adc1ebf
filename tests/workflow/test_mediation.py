"""Mediation (调解): an objection is settled only by the objector's withdrawal or by the
mediator's outcome, which issues the 调解意见书; the decision weighs what is left."""

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import Document, OutboxMessage
from workflow.errors import Conflict, Forbidden, GuardsFailed, InvalidInput, NotFound
from workflow.papers.verify import verify
from workflow.read.cases import describe_case

from ..journey import add_mediator, pdf_bytes


def objection(rt, people, case_id):
    return describe_case(rt, people.owner.id, case_id)["objections"][0]


def test_the_applicant_refers_an_objection_and_the_objector_is_told(rt, journey, people):
    case_id, oid, token = journey.objection_in_publicity()
    mid = services.refer(rt, people.owner.id, case_id, oid)
    assert objection(rt, people, case_id)["mediation"] == {
        "id": mid, "state": "open", "document_id": None
    }  # fmt: skip
    with rt.db.session() as s:
        told = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "mediation_referred"))
    assert told.phone == "13900000101" and told.text.endswith(f"/sign/{token}")
    with pytest.raises(Conflict):  # once in mediation, not referred again
        services.refer(rt, people.clerk.id, case_id, oid)


def test_only_the_clerk_or_the_applicant_refers(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    with pytest.raises(Forbidden):
        services.refer(rt, people.housing.id, case_id, oid)
    assert services.refer(rt, people.clerk.id, case_id, oid)


def test_a_mediator_of_a_street_sees_only_that_streets_referrals(rt, journey, people):
    south = journey.case_in("publicity", street="南城街道")
    services.upload_document(rt, people.owner.id, south, "design_plan", pdf_bytes())
    oid = services.lodge_objection(rt, people.clerk.id, south, room="101", text="噪音")
    mid = services.refer(rt, people.clerk.id, south, oid)
    north = add_mediator(rt, people, street="北城街道", username="north")
    assert services.mediation_queue(rt, north.id) == []
    with pytest.raises(NotFound):
        services.mediation_view(rt, north.id, mid)
    everyone = add_mediator(rt, people, username="city")
    assert [m["id"] for m in services.mediation_queue(rt, everyone.id)] == [mid]
    with pytest.raises(Forbidden):
        services.mediation_queue(rt, people.clerk.id)


def test_sessions_are_recorded_with_date_place_attendees_and_notes(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    mediator = add_mediator(rt, people)
    mid = services.refer(rt, people.owner.id, case_id, oid)
    with pytest.raises(InvalidInput) as refused:
        services.record_session(rt, mediator.id, mid, held_on="x", place="", attendees=[], notes="")
    assert {m.code for m in refused.value.messages} == {"held_on", "place", "attendees", "notes"}
    services.record_session(
        rt, mediator.id, mid, held_on="2026-11-23", place="社区调解室",
        attendees="101室业主、申请人", notes="提出井道改用玻璃幕墙",
    )  # fmt: skip
    view = services.mediation_view(rt, mediator.id, mid)
    assert view["sessions"] == [
        {"held_on": "2026-11-23", "place": "社区调解室", "attendees": ["101室业主", "申请人"],
         "notes": "提出井道改用玻璃幕墙"}
    ]  # fmt: skip


def test_no_agreement_settles_the_objection_and_issues_a_verifiable_record(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    with pytest.raises(GuardsFailed):
        services.fire(rt, people.owner.id, case_id, "submit")
    doc_id = journey.mediated_without_agreement(case_id, oid)
    o = objection(rt, people, case_id)
    assert o["settled_by"] == "mediation" and "采光影响在规范允许范围内" in o["resolution"]
    assert o["mediation"]["state"] == "not_agreed" and o["mediation"]["document_id"] == doc_id
    with rt.db.session() as s:
        code = s.get(Document, doc_id).verify_code
    checked = verify(rt, code)
    assert checked.kind == "mediation_record" and checked.title == "调解意见书"
    services.fire(rt, people.owner.id, case_id, "submit")


def test_not_agreed_needs_the_mediators_opinion(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    mediator = add_mediator(rt, people)
    mid = services.refer(rt, people.owner.id, case_id, oid)
    with pytest.raises(InvalidInput, match="调解意见"):
        services.record_outcome(rt, mediator.id, mid, agreed=False, opinion=" ")


def test_agreement_means_the_objector_withdrew(rt, journey, people):
    case_id, oid, token = journey.objection_in_publicity()
    mediator = add_mediator(rt, people)
    mid = services.refer(rt, people.owner.id, case_id, oid)
    with pytest.raises(Conflict, match="撤回"):
        services.record_outcome(rt, mediator.id, mid, agreed=True)
    services.withdraw_by_link(rt, token, oid)
    assert objection(rt, people, case_id)["settled_by"] == "withdrawal"
    services.record_outcome(rt, mediator.id, mid, agreed=True, opinion="改用玻璃幕墙井道")
    with pytest.raises(Conflict):
        services.record_outcome(rt, mediator.id, mid, agreed=False, opinion="再来一次")
    services.fire(rt, people.owner.id, case_id, "submit")


def test_a_signed_paper_withdrawal_uploaded_by_the_mediator_settles_it(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    mediator = add_mediator(rt, people)
    mid = services.refer(rt, people.owner.id, case_id, oid)
    services.record_outcome(rt, mediator.id, mid, agreed=True, withdrawal=pdf_bytes())
    assert objection(rt, people, case_id)["settled_by"] == "withdrawal"


def test_an_objector_withdraws_only_its_own_objection(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    other = next(
        x["token"] for x in services.signing_links(rt, people.owner.id, case_id)
        if x["room"] == "201"
    )  # fmt: skip
    with pytest.raises(NotFound):
        services.withdraw_by_link(rt, other, oid)


def test_the_decision_weighs_a_mediated_objection_and_names_it(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    journey.mediated_without_agreement(case_id, oid)
    services.fire(rt, people.owner.id, case_id, "submit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    journey.all_agree(case_id)
    with pytest.raises(GuardsFailed) as refused:
        services.fire(rt, people.housing.id, case_id, "approve")
    assert "weighing" in {m.code for m in refused.value.messages}
    services.fire(
        rt, people.housing.id, case_id, "approve", {"weighing": "日照分析表明采光仍符合规范"}
    )
    case = describe_case(rt, people.owner.id, case_id)
    letter = next(x for x in case["letters"] if x["kind"] == "approval_decision")
    context = services.letter_context(rt, people.owner.id, letter["id"])
    (named,) = context["objections"]
    assert named["text"] == "电梯井道遮挡采光" and named["settled_by"] == "mediation"
    assert named["mediation_record"] and context["weighing"] == "日照分析表明采光仍符合规范"
