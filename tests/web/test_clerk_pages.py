"""The clerk's window: queue, completeness check, paper votes, objections, completion, letters."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from workflow import services
from workflow.read import cases as queries


def describe(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.clerk.id, case_id)


def version(app, people, case_id):
    return describe(app, people, case_id)["version"]


# --- queue ---------------------------------------------------------------------------------


def test_queue_lists_submitted_case_with_working_days_left(as_clerk, app_journey):
    case_id = app_journey.case_in("submitted")
    r = as_clerk.get("/staff/")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert f"/staff/cases/{case_id}" in body
    assert "剩 2 个工作日" in body
    assert "翠湖花园" in body


def test_queue_marks_overdue_cases(as_clerk, app_journey, clock):
    app_journey.case_in("submitted")
    clock.advance(days=10)
    body = as_clerk.get("/staff/").get_data(as_text=True)
    assert 'class="badge overdue"' in body
    assert "row-overdue" in body


def test_queue_searches_and_filters(as_clerk, app_journey):
    a = app_journey.case_in("submitted")
    b = app_journey.case_in("submitted", community="幸福里")
    body = as_clerk.get("/staff/?community=幸福里").get_data(as_text=True)
    assert f"/staff/cases/{b}" in body and f'/staff/cases/{a}"' not in body
    body = as_clerk.get("/staff/?state=acceptance").get_data(as_text=True)
    assert f"/staff/cases/{b}" not in body
    body = as_clerk.get("/staff/?q=13900000101").get_data(as_text=True)
    assert f"/staff/cases/{a}" in body


def test_queue_is_oldest_first(as_clerk, app_journey, clock):
    first = app_journey.case_in("submitted")
    clock.advance(hours=1)
    second = app_journey.case_in("submitted")
    body = as_clerk.get("/staff/").get_data(as_text=True)
    assert body.index(f'/staff/cases/{first}"') < body.index(f'/staff/cases/{second}"')


def test_queue_paginates(as_clerk, app_journey):
    for _ in range(21):
        app_journey.case_in("consultation")
    body = as_clerk.get("/staff/").get_data(as_text=True)
    assert "第 1 / 2 页" in body
    assert "下一页" in body
    assert "第 2 / 2 页" in as_clerk.get("/staff/?page=2").get_data(as_text=True)


def test_queue_warns_when_deadline_is_estimated(as_clerk, app_journey, clock):
    from datetime import datetime

    clock.now = datetime(2027, 3, 1, 9, 0)  # chinese_calendar stops at 2026
    app_journey.case_in("submitted")
    body = as_clerk.get("/staff/").get_data(as_text=True)
    assert "期限为估算" in body


@pytest.mark.parametrize("who", ["housing", "admin", "owner"])
def test_queue_refuses_other_roles(client, app_people, who):
    login(client, getattr(app_people, who).username)
    assert client.get("/staff/").status_code == 403


def test_queue_needs_login(client):
    r = client.get("/staff/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


# --- case page and completeness check ------------------------------------------------------


def test_case_page_shows_four_documents_actions_and_history(as_clerk, app_journey):
    case_id = app_journey.case_in("submitted")
    body = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    for label in (
        "既有住宅加装电梯申请表",
        "业主意见征询及费用分摊协议",
        "设计方案",
        "公示情况说明",
    ):
        assert label in body
    assert 'id="action-accept"' in body and 'id="action-request_correction"' in body
    assert "办理记录" in body and "submit" in body
    # The clerk calls owners: full numbers on asking, and the asking is audited.
    assert "13900000101" not in body and "139****0101" in body
    as_clerk.post(f"/staff/cases/{case_id}/reveal", data={"reason": "电话联系 101 室"})
    revealed = as_clerk.get(f"/staff/cases/{case_id}?reveal=phones").get_data(as_text=True)
    assert 'href="tel:13900000101"' in revealed


def test_accept_moves_case_to_review_and_issues_notice(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("submitted")
    v = version(app, app_people, case_id)
    r = as_clerk.post(f"/staff/cases/{case_id}/actions/accept", data={"expected_version": v})
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["state"] == "review"
    assert [x["kind"] for x in c["letters"]] == ["acceptance_notice"]


def test_clerk_refuses_acceptance_with_reasons_and_a_letter(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("submitted")
    page = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-refuse_acceptance"' in page and 'id="refuse_acceptance-reasons"' in page
    r = as_clerk.post(
        f"/staff/cases/{case_id}/actions/refuse_acceptance",
        data={"expected_version": version(app, app_people, case_id), "reasons": "已列入征收范围"},
    )
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["state"] == "not_accepted"
    assert [x["kind"] for x in c["letters"]] == ["not_accepted_decision"]


def test_request_correction_lists_every_ticked_item(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("submitted")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/actions/request_correction",
        data={
            "expected_version": version(app, app_people, case_id),
            "doc_design_plan": "1",
            "note_design_plan": "缺少结构安全评估",
            "doc_application_form": "1",
            "other": "请补充 301 室业主签字\n\n公示照片不清晰",
        },
    )
    assert r.status_code == 303
    c = describe(app, app_people, case_id)
    assert c["state"] == "correction"
    assert c["corrections"][-1]["items"] == [
        {"document": "application_form", "text": "既有住宅加装电梯申请表"},
        {"document": "design_plan", "text": "缺少结构安全评估"},
        {"document": None, "text": "请补充 301 室业主签字"},
        {"document": None, "text": "公示照片不清晰"},
    ]


def test_request_correction_without_items_is_refused_and_changes_nothing(
    as_clerk, app, app_people, app_journey
):
    case_id = app_journey.case_in("submitted")
    v = version(app, app_people, case_id)
    r = as_clerk.post(
        f"/staff/cases/{case_id}/actions/request_correction", data={"expected_version": v}
    )
    assert r.status_code == 422
    assert 'class="flash flash-error"' in r.get_data(as_text=True)
    c = describe(app, app_people, case_id)
    assert c["state"] == "submitted" and c["version"] == v


def test_stale_version_is_refused_and_changes_nothing(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("submitted")
    v = version(app, app_people, case_id)
    r = as_clerk.post(f"/staff/cases/{case_id}/actions/accept", data={"expected_version": v - 1})
    assert r.status_code == 409
    assert "已被他人更新" in r.get_data(as_text=True)
    assert describe(app, app_people, case_id)["state"] == "submitted"


def test_action_in_wrong_state_is_refused(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    r = as_clerk.post(f"/staff/cases/{case_id}/actions/accept", data={})
    assert r.status_code == 409
    assert describe(app, app_people, case_id)["state"] == "review"


def test_clerk_may_not_fire_the_approvers_trigger(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("review")
    r = as_clerk.post(f"/staff/cases/{case_id}/actions/approve", data={})
    assert r.status_code == 403
    assert describe(app, app_people, case_id)["state"] == "review"


def test_separation_of_duties_refuses_clerk_who_owns_a_flat(client, app, app_people, app_journey):
    rt = app.extensions["jiati"]
    services.create_user(
        rt, None, username="clerk2", password="secret-pass-1", role="clerk", phone="13900000301"
    )
    case_id = app_journey.case_in("submitted")
    login(client, "clerk2")
    body = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-accept"' not in body  # no button for what they may not do
    r = client.post(f"/staff/cases/{case_id}/actions/accept", data={})
    assert r.status_code == 403
    assert "不能以工作人员身份办理" in r.get_data(as_text=True)
    assert describe(app, app_people, case_id)["state"] == "submitted"


def test_case_page_refuses_homeowner_and_admin(client, app_people, app_journey):
    case_id = app_journey.case_in("submitted")
    for who in ("owner", "admin"):
        login(client, getattr(app_people, who).username)
        assert client.get(f"/staff/cases/{case_id}").status_code == 403
        client.post("/auth/logout")


def test_unknown_case_is_404(as_clerk):
    assert as_clerk.get("/staff/cases/9999").status_code == 404


# --- paper votes and objections --------------------------------------------------------------


def test_paper_vote_is_recorded(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/votes",
        data={"room": "301", "choice": "agree", "signature": "李秀英"},
    )
    assert r.status_code == 303
    h = next(h for h in describe(app, app_people, case_id)["households"] if h["room"] == "301")
    assert h["vote"]["channel"] == "paper" and h["vote"]["choice"] == "agree"


def test_paper_vote_with_scan_stores_it(as_clerk, app, app_people, app_journey):
    import io

    from tests.journey import pdf_bytes

    case_id = app_journey.case_in("consultation")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/votes",
        data={
            "room": "401",
            "choice": "object",
            "signature": "周志华",
            "scan": (io.BytesIO(pdf_bytes()), "vote.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    events = queries.history(app.extensions["jiati"], app_people.clerk.id, case_id)
    assert events[-1]["kind"] == "vote" and re.fullmatch(
        r"[0-9a-f]{64}", events[-1]["payload"]["scan"]
    )


def test_second_paper_vote_for_a_household_is_refused(as_clerk, app_journey):
    case_id = app_journey.case_in("consultation")
    data = {"room": "301", "choice": "agree", "signature": "李秀英"}
    as_clerk.post(f"/staff/cases/{case_id}/votes", data=data)
    r = as_clerk.post(f"/staff/cases/{case_id}/votes", data=data)
    assert r.status_code in (400, 409)
    assert "flash-error" in r.get_data(as_text=True)


def test_paper_vote_after_consultation_is_refused(as_clerk, app_journey):
    case_id = app_journey.case_in("submitted")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/votes", data={"room": "301", "choice": "agree", "signature": "李"}
    )
    assert r.status_code == 409


def test_objection_recorded_then_referred_to_mediation(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("publicity")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/objections", data={"room": "101", "text": "担心采光受影响"}
    )
    assert r.status_code == 303
    o = describe(app, app_people, case_id)["objections"][0]
    assert o["channel"] == "paper" and o["resolution"] is None
    body = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    # The clerk no longer settles an objection by typing a sentence: it goes to the mediator.
    assert "担心采光受影响" in body and f"/objections/{o['id']}/mediation" in body
    assert "/resolve" not in body
    r = as_clerk.post(f"/staff/cases/{case_id}/objections/{o['id']}/mediation")
    assert r.status_code == 303
    o = describe(app, app_people, case_id)["objections"][0]
    assert o["resolution"] is None and o["mediation"]["state"] == "open"
    assert "调解中" in as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)


def test_objection_without_text_is_refused(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("publicity")
    r = as_clerk.post(f"/staff/cases/{case_id}/objections", data={"room": "101", "text": ""})
    assert r.status_code == 400
    assert describe(app, app_people, case_id)["objections"] == []


def test_approver_may_not_record_paper_votes(client, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    login(client, app_people.housing.username)
    r = client.post(
        f"/staff/cases/{case_id}/votes", data={"room": "301", "choice": "agree", "signature": "李"}
    )
    assert r.status_code == 403


# --- completion ------------------------------------------------------------------------------


def test_confirm_completion(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("acceptance")
    app_journey.residents_satisfied(case_id)  # 居民不满意不验收: the households answer first
    body = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert 'id="action-confirm_completion"' in body and "特种设备监督检验报告" in body
    r = as_clerk.post(
        f"/staff/cases/{case_id}/actions/confirm_completion",
        data={"expected_version": version(app, app_people, case_id)},
    )
    assert r.status_code == 303
    assert describe(app, app_people, case_id)["state"] == "completed"


# --- letters ---------------------------------------------------------------------------------


def test_case_letters_page_lists_letters_with_checkboxes(as_clerk, app_journey):
    case_id = app_journey.case_in("approved")
    body = as_clerk.get(f"/staff/cases/{case_id}/letters").get_data(as_text=True)
    assert body.count('name="letter_ids"') == 2  # 受理通知书, 准予加装电梯决定书
    assert 'name="csrf_token"' in body


def test_todays_letters_and_a_date_range(as_clerk, app_journey, clock):
    app_journey.case_in("review")
    body = as_clerk.get("/staff/letters").get_data(as_text=True)
    assert body.count('name="letter_ids"') == 1
    clock.advance(days=3)
    assert 'name="letter_ids"' not in as_clerk.get("/staff/letters").get_data(as_text=True)
    day = (clock.now.date()).replace(day=clock.now.day - 3).isoformat()
    body = as_clerk.get(f"/staff/letters?start={day}&end={clock.now.date().isoformat()}").get_data(
        as_text=True
    )
    assert body.count('name="letter_ids"') == 1


def test_letters_form_posts_to_batch_when_available(as_clerk, app, app_journey):
    app_journey.case_in("review")
    body = as_clerk.get("/staff/letters").get_data(as_text=True)
    if "letters.batch" in app.view_functions:
        assert 'action="/letters/batch"' in body
    else:
        assert "合并打印暂不可用" in body


def test_letters_page_refuses_approver(client, app_people):
    login(client, app_people.housing.username)
    assert client.get("/staff/letters").status_code == 403


def test_queue_in_english(as_clerk, app_journey):
    app_journey.case_in("submitted")
    body = as_clerk.get("/staff/?lang=en").get_data(as_text=True)
    assert "2 working days left" in body and "Awaiting acceptance" in body


def test_post_without_csrf_token_is_refused(as_clerk, app, app_people, app_journey):
    case_id = app_journey.case_in("submitted")
    app.config["WTF_CSRF_ENABLED"] = True
    r = as_clerk.post(f"/staff/cases/{case_id}/actions/accept", data={})
    assert r.status_code == 400
    assert describe(app, app_people, case_id)["state"] == "submitted"
    body = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert body.count('name="csrf_token"') >= 3  # logout, accept, request_correction


# --- owners across flats (法释〔2009〕7号第九条) ------------------------------------------------


def test_clerk_marks_flats_as_one_owners_and_records_which_vote_stands(
    as_clerk, app, app_people, app_journey
):
    rt = app.extensions["jiati"]
    case_id = app_journey.case_in("consultation")
    r = as_clerk.post(
        f"/staff/cases/{case_id}/owners",
        data={"op": "mark", "rooms": ["501", "601"], "note": "房产证均为吴淑珍"},
    )
    assert r.status_code == 303
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "6 户，5 位业主（吴某拥有 501、601 两套）" in html
    links = services.signing_links(rt, app_people.owner.id, case_id)
    for link in links:
        services.sign(
            rt, link["token"], owner_name=link["owner_name"], phone_tail=link["phone"][-4:],
            choice="object" if link["room"] == "601" else "agree", signature=link["owner_name"],
        )  # fmt: skip
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "表决意见不一致" in html and "以哪一套的意见为准" in html
    r = as_clerk.post(
        f"/staff/cases/{case_id}/owners", data={"op": "stands", "room": "501", "note": "议事规则"}
    )
    assert r.status_code == 303
    assert describe(app, app_people, case_id)["quorum"]["conflicts"] == []
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "登记有效表决意见" in html  # the history says what the clerk did
