"""Recorded facts (uploads, votes, objections) and the inputs they refuse."""

import pytest

from workflow import services
from workflow.errors import Conflict, InvalidInput, NotFound, TooLarge, UnsupportedFile
from workflow.read import cases as queries

from ..journey import pdf_bytes


def test_papers_of_later_stages_are_refused_early(rt, journey, people):
    case_id = journey.case_in("draft")
    for kind in ("invoice", "acceptance_report", "equipment_registration"):
        with pytest.raises(Conflict):
            services.upload_document(rt, people.owner.id, case_id, kind, pdf_bytes())


def test_uploads_are_checked_by_content_not_name(rt, journey, people):
    case_id = journey.case_in("draft")
    with pytest.raises(UnsupportedFile):
        services.upload_document(
            rt, people.owner.id, case_id, "design_plan", b"GIF89a...", "plan.pdf"
        )
    with pytest.raises(UnsupportedFile) as err:
        services.upload_document(
            rt, people.owner.id, case_id, "design_plan", b"%PDF-1.7 broken", "plan.pdf"
        )
    assert err.value.messages[0].code == "pdf_broken"


def test_uploads_above_the_size_limit_are_refused(rt, journey, people):
    from dataclasses import replace

    rt.settings = replace(rt.settings, upload_max_mb=1)
    case_id = journey.case_in("draft")
    big = pdf_bytes() + b"%" * (1024 * 1024)
    with pytest.raises(TooLarge):
        services.upload_document(rt, people.owner.id, case_id, "design_plan", big)


def test_signing_refuses_input_that_is_not_text(rt, journey, people):
    case_id = journey.case_in("consultation")
    token = services.signing_links(rt, people.owner.id, case_id)[0]["token"]
    with pytest.raises(InvalidInput):
        services.sign(
            rt, token, owner_name=["陈桂兰"], phone_tail=101, choice="agree", signature="陈桂兰"
        )
    with pytest.raises(InvalidInput):
        services.lodge_objection_by_link(rt, token, {"text": "x"})


def test_ids_beyond_the_database_range_are_not_found(rt, people):
    with pytest.raises(NotFound):
        queries.describe_case(rt, people.clerk.id, 2**63 + 5)


def test_paper_votes_are_recorded_by_a_clerk_with_their_channel(rt, journey, people):
    case_id = journey.case_in("consultation")
    services.record_paper_vote(
        rt, people.clerk.id, case_id, room="601", choice="object", signature="郑喆"
    )
    case = queries.describe_case(rt, people.owner.id, case_id)
    vote = next(h["vote"] for h in case["households"] if h["room"] == "601")
    assert vote["channel"] == "paper" and vote["choice"] == "object"


def test_an_objection_blocks_submission_until_mediated(rt, journey, people):
    case_id, oid, _ = journey.objection_in_publicity()
    with pytest.raises(Exception, match="异议"):
        services.fire(rt, people.owner.id, case_id, "submit")
    journey.mediated_without_agreement(case_id, oid)
    services.fire(rt, people.owner.id, case_id, "submit")
