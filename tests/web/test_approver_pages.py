"""The approvers' joint review: queue, department opinions, the lead's decisions, the subsidy."""

from __future__ import annotations

import pytest

from tests.conftest import login
from workflow import services
from workflow.read import cases as queries


def describe(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.housing.id, case_id)


def as_(client, people, who):
    login(client, getattr(people, who).username)
    return client


def test_review_queue_lists_cases_under_review(as_housing, app_journey):
    case_id = app_journey.case_in("review")
    waiting = app_journey.case_in("submitted")
    body = as_housing.get("/staff/review").get_data(as_text=True)
    assert f"/staff/cases/{case_id}" in body
    assert f'/staff/cases/{waiting}"' not in body
    assert "剩 10 个工作日" in body


@pytest.mark.parametrize("who", ["clerk", "admin", "owner"])
def test_review_queue_refuses_other_roles(client, app_people, who):
    as_(client, app_people, who)
    assert client.get("/staff/review").status_code == 403


def test_approver_case_page_masks_phone_numbers(as_housing, app_journey):
    case_id = app_journey.case_in("review")
    body = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "139****0101" in body
    assert "13900000101" not in body
    assert "13800000001" not in body  # the applicant's number too


def test_department_gives_its_opinion_once_per_round(client, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    as_(client, app_people, "planning")
    body = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "提交本部门意见" in body
    r = client.post(
        f"/staff/cases/{case_id}/opinion", data={"verdict": "agree", "comment": "符合规划"}
    )
    assert r.status_code == 303
    ops = describe(app, app_people, case_id)["opinions"]
    assert [(o["department"], o["verdict"]) for o in ops] == [("planning", "agree")]
    body = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "提交本部门意见" not in body
    r = client.post(f"/staff/cases/{case_id}/opinion", data={"verdict": "disagree", "comment": "x"})
    assert r.status_code == 409
    assert len(describe(app, app_people, case_id)["opinions"]) == 1


def test_disagreement_needs_a_comment(client, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    as_(client, app_people, "market")
    r = client.post(f"/staff/cases/{case_id}/opinion", data={"verdict": "disagree", "comment": ""})
    assert r.status_code == 400
    assert describe(app, app_people, case_id)["opinions"] == []


def test_clerk_may_not_give_opinions(as_clerk, app_journey):
    case_id = app_journey.case_in("review")
    assert (
        as_clerk.post(f"/staff/cases/{case_id}/opinion", data={"verdict": "agree"}).status_code
        == 403
    )


def test_approve_is_disabled_with_the_missing_departments(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    rt = app.extensions["jiati"]
    services.give_opinion(rt, app_people.planning.id, case_id, verdict="agree")
    body = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    start = body.index('id="action-approve"')
    block = body[start : body.index("</form>", start)]
    assert "disabled" in block
    assert "枣阳市市场监督管理局" in block and "枣阳市住房和城乡建设局" in block
    assert "尚未出具" in body


def test_lead_approves_when_every_department_agrees(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    app_journey.all_agree(case_id)
    c = describe(app, app_people, case_id)
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/approve", data={"expected_version": c["version"]}
    )
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["state"] == "approved"
    assert "approval_decision" in [x["kind"] for x in c["letters"]]


def test_approve_before_all_agree_is_refused(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    r = as_housing.post(f"/staff/cases/{case_id}/actions/approve", data={})
    assert r.status_code == 422
    assert describe(app, app_people, case_id)["state"] == "review"


def test_non_lead_approver_has_no_approve_button(client, app_people, app_journey):
    case_id = app_journey.case_in("review")
    as_(client, app_people, "planning")
    body = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-approve"' not in body and 'id="action-reject"' not in body
    assert 'id="action-return_for_correction"' in body
    assert client.post(f"/staff/cases/{case_id}/actions/approve", data={}).status_code == 403


def test_reject_before_every_opinion_is_refused_with_the_missing_departments(
    as_housing, app, app_people, app_journey
):
    case_id = app_journey.case_in("review")
    services.give_opinion(
        app.extensions["jiati"], app_people.planning.id, case_id, verdict="disagree", comment="否"
    )
    r = as_housing.post(f"/staff/cases/{case_id}/actions/reject", data={"reasons": "不符合规划"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "枣阳市住房和城乡建设局尚未出具意见" in body
    assert "枣阳市市场监督管理局尚未出具意见" in body
    assert "枣阳市自然资源和规划局尚未出具意见" not in body
    assert describe(app, app_people, case_id)["state"] == "review"


def test_reject_needs_reasons(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    app_journey.all_agree(case_id)
    r = as_housing.post(f"/staff/cases/{case_id}/actions/reject", data={"reasons": ""})
    assert r.status_code == 422
    assert describe(app, app_people, case_id)["state"] == "review"
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/reject", data={"reasons": "结构安全评估不合格"}
    )
    assert r.status_code == 303
    assert describe(app, app_people, case_id)["state"] == "rejected"


def test_return_for_correction_lists_items(client, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    as_(client, app_people, "planning")
    r = client.post(
        f"/staff/cases/{case_id}/actions/return_for_correction",
        data={"doc_design_plan": "1", "note_design_plan": "消防通道宽度不足"},
    )
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["state"] == "correction"
    assert c["corrections"][-1]["items"] == [
        {"document": "design_plan", "text": "消防通道宽度不足"}
    ]


def test_subsidy_amount_is_prefilled_from_the_rule(as_housing, app_journey):
    case_id = app_journey.case_in("subsidy_review")
    body = as_housing.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'name="amount" value="100,000.00"' in body


def test_lower_subsidy_needs_a_reason(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("subsidy_review")
    r = as_housing.post(f"/staff/cases/{case_id}/actions/approve_subsidy", data={"amount": "90000"})
    assert r.status_code == 422
    assert "须说明理由" in r.get_data(as_text=True)
    assert describe(app, app_people, case_id)["state"] == "subsidy_review"
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/approve_subsidy",
        data={"amount": "90000", "reason": "部分费用不属于补贴范围"},
    )
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["state"] == "subsidy_approved" and c["subsidy"]["amount_fen"] == 9_000_000


def test_higher_subsidy_is_refused(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("subsidy_review")
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/approve_subsidy", data={"amount": "120000", "reason": "x"}
    )
    assert r.status_code == 422
    assert "超过上限" in r.get_data(as_text=True)
    assert describe(app, app_people, case_id)["state"] == "subsidy_review"


def test_return_subsidy_application(as_housing, app, app_people, app_journey):
    case_id = app_journey.case_in("subsidy_review")
    r = as_housing.post(
        f"/staff/cases/{case_id}/actions/return_subsidy", data={"reasons": "发票抬头有误"}
    )
    assert r.status_code == 303
    assert describe(app, app_people, case_id)["state"] == "completed"


def test_english_page_shows_english_labels(as_housing, app_journey):
    case_id = app_journey.case_in("review")
    body = as_housing.get(f"/staff/cases/{case_id}?lang=en").get_data(as_text=True)
    assert "Joint review" in body and "Return for correction" in body


def test_review_queue_marks_cases_awaiting_this_department(client, app, app_people, app_journey):
    a = app_journey.case_in("review")
    b = app_journey.case_in("review")
    services.give_opinion(app.extensions["jiati"], app_people.planning.id, a, verdict="agree")
    as_(client, app_people, "planning")
    body = client.get("/staff/review").get_data(as_text=True)
    rows = {cid: body[body.index(f'/staff/cases/{cid}"') :][:600] for cid in (a, b)}
    assert "待本部门出具意见" not in rows[a].split("</tr>")[0]
    assert "待本部门出具意见" in rows[b].split("</tr>")[0]
