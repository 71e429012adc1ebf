"""好差评: the applicant rates each act that concluded a step; bad ratings are rectified by the
desk that acted, within working days, and answered."""

from datetime import date

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import OutboxMessage
from workflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflow.jobs.registry import daily_check
from workflow.read.cases import history
from workflow.read.ratings import comments, published


def act_of(rt, people, case_id, trigger):
    acts = services.ratings_of(rt, people.owner.id, case_id)["acts"]
    return next(a for a in acts if a["trigger"] == trigger)


def test_the_acceptance_can_be_rated_once_by_the_applicant(rt, journey, people):
    case_id = journey.case_in("review")
    a = act_of(rt, people, case_id, "accept")
    assert a["may_rate"] and a["desk"] == "window" and a["desk_label"] == "窗口"
    services.rate(rt, people.owner.id, case_id, a["act"], 5, "办得快")
    with pytest.raises(Conflict):
        services.rate(rt, people.owner.id, case_id, a["act"], 4)
    a = act_of(rt, people, case_id, "accept")
    assert not a["may_rate"] and a["rating"]["label"] == "非常满意"


def test_only_rateable_acts_of_the_case_are_rated(rt, journey, people):
    case_id = journey.case_in("review")
    seqs = {e["kind"]: e["seq"] for e in history(rt, people.owner.id, case_id)}
    with pytest.raises(NotFound):  # the applicant's own submission is no act to rate
        services.rate(rt, people.owner.id, case_id, seqs["submit"], 5)
    with pytest.raises(NotFound):
        services.rate(rt, people.owner.id, case_id, 9999, 5)


def test_only_the_applicant_rates(rt, journey, people):
    case_id = journey.case_in("review")
    a = act_of(rt, people, case_id, "accept")
    with pytest.raises(Forbidden):
        services.rate(rt, people.clerk.id, case_id, a["act"], 5)


def test_a_bad_rating_needs_a_comment(rt, journey, people):
    case_id = journey.case_in("review")
    a = act_of(rt, people, case_id, "accept")
    with pytest.raises(InvalidInput, match="原因"):
        services.rate(rt, people.owner.id, case_id, a["act"], 2, "  ")
    with pytest.raises(InvalidInput):
        services.rate(rt, people.owner.id, case_id, a["act"], 6, "太慢")


def test_a_bad_rating_opens_a_rectification_for_the_desk_due_in_working_days(
    rt, journey, people, clock
):
    case_id = journey.case_in("approved")
    a = act_of(rt, people, case_id, "approve")
    assert a["desk"] == "housing"  # the lead approver's department decided
    services.rate(rt, people.owner.id, case_id, a["act"], 1, "审批拖延，电话无人接听")
    # 2026-11-23 (Monday) + 15 working days
    (item,) = services.rectification_queue(rt, people.housing.id)
    assert item["rectify_due"] == "2026-12-14" and not item["late"]
    assert services.rectification_queue(rt, people.clerk.id) == []
    assert services.rectification_queue(rt, people.planning.id) == []
    with pytest.raises(NotFound):  # another desk cannot answer it
        services.rectify(rt, people.clerk.id, item["id"], "已整改")
    services.rectify(rt, people.housing.id, item["id"], "已安排专人接听并答复")
    assert services.rectification_queue(rt, people.housing.id) == []
    a = act_of(rt, people, case_id, "approve")
    assert a["may_rate_answer"] and a["rating"]["rectification"] == "已安排专人接听并答复"
    services.rate_answer(rt, people.owner.id, case_id, a["act"], 4)
    with pytest.raises(Conflict):
        services.rate_answer(rt, people.owner.id, case_id, a["act"], 4)


def test_the_rater_is_asked_again_by_sms_after_the_answer(rt, journey, people):
    case_id = journey.case_in("review")
    a = act_of(rt, people, case_id, "accept")
    rid = services.rate(rt, people.owner.id, case_id, a["act"], 2, "窗口态度差")
    services.rectify(rt, people.clerk.id, rid, "已批评教育并致歉")
    with rt.db.session() as s:
        m = s.scalar(select(OutboxMessage).where(OutboxMessage.kind == "rating_answer"))
        assert m.phone == "13800000001"
        assert m.text.endswith(f"/my/cases/{case_id}/ratings/{a['act']}")


def test_late_rectifications_show_in_the_daily_check_once_a_day(rt, journey, people, clock):
    case_id = journey.case_in("review")
    a = act_of(rt, people, case_id, "accept")
    services.rate(rt, people.owner.id, case_id, a["act"], 1, "材料一次没讲清楚")
    clock.advance(days=30)
    (item,) = services.rectification_queue(rt, people.clerk.id)
    assert item["late"]
    daily_check(rt, date(2026, 12, 23))
    daily_check(rt, date(2026, 12, 23))
    with rt.db.session() as s:
        late = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "rating_late")).all()
    assert len(late) == 1 and late[0].desk == "clerk" and "超期" in late[0].text


def test_the_sms_announcing_an_act_links_to_its_rating_page(rt, journey, people):
    case_id = journey.case_in("review")
    a = act_of(rt, people, case_id, "accept")
    with rt.db.session() as s:
        told = s.scalar(
            select(OutboxMessage).where(
                OutboxMessage.kind == "accept", OutboxMessage.user_id == people.owner.id
            )
        )
    assert f"/my/cases/{case_id}/ratings/{a['act']}" in told.text


def test_published_results_have_no_names_and_no_comments(rt, journey, people):
    case_id = journey.case_in("approved")
    services.rate(rt, people.owner.id, case_id, act_of(rt, people, case_id, "accept")["act"], 5)
    services.rate(
        rt, people.owner.id, case_id, act_of(rt, people, case_id, "approve")["act"], 2, "太慢了"
    )
    rows = published(rt)
    assert {(r["desk_label"], r["count"]) for r in rows} == {("窗口", 1), ("住建", 1)}
    assert "太慢了" not in repr(rows) and "李秀英" not in repr(rows)
    assert [c["comment"] for c in comments(rt)] == ["太慢了"]
