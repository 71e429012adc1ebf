"""My applications, the case page and its buttons, actions fired and refused, withdrawal."""

from __future__ import annotations

import re

import pytest

from workflow import services
from workflow.read import cases as queries

from ..conftest import login


def state_of(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)["state"]


def version_of(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)["version"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    r = client.get("/my/")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]


def test_staff_do_not_use_the_homeowner_pages(as_clerk):
    assert as_clerk.get("/my/").status_code == 403


def test_my_applications_lists_each_case_with_state_and_next_step(as_owner, app_journey):
    app_journey.case_in("consultation")
    app_journey.case_in("submitted")
    html = as_owner.get("/my/").get_data(as_text=True)
    assert html.count("JT2026") >= 2
    assert "意见征询" in html and "把签字链接发给各户业主" in html
    assert "待受理" in html and "办理期限：" in html and "个工作日" in html


def test_my_applications_shows_only_my_own(client, app_people, app_journey):
    app_journey.new_case()
    login(client, app_people.neighbour.username)
    html = client.get("/my/").get_data(as_text=True)
    assert "JT2026" not in html and "您还没有申请" in html


@pytest.mark.parametrize(
    "path",
    ["", "/consent", "/costs", "/notice", "/notice/print", "/documents", "/progress",
     "/act/withdraw"],
)  # fmt: skip
def test_another_owners_case_is_not_found_on_every_page(client, app_people, app_journey, path):
    case_id = app_journey.case_in("publicity")
    login(client, app_people.neighbour.username)
    assert client.get(f"/my/cases/{case_id}{path}").status_code == 404


def test_firing_on_another_owners_case_is_not_found_and_changes_nothing(
    app, client, app_people, app_journey
):
    case_id = app_journey.new_case()
    login(client, app_people.neighbour.username)
    r = client.post(f"/my/cases/{case_id}/act/start_consultation", data={})
    assert r.status_code == 404
    assert state_of(app, app_people, case_id) == "draft"


def test_case_page_offers_the_actions_the_machine_allows(as_owner, app_journey):
    case_id = app_journey.new_case()
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert f'action="/my/cases/{case_id}/act/start_consultation"' in html
    assert f'href="/my/cases/{case_id}/act/withdraw"' in html
    assert "finish_consultation" not in html and "submit" not in re.findall(r"/act/(\w+)", html)
    assert 'aria-current="step"' in html


def test_a_blocked_action_is_disabled_with_its_reasons(as_owner, app_journey):
    case_id = app_journey.case_in("consultation")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    button = re.search(r"<button[^>]*>结束征询并开始公示</button>", html).group(0)
    assert "disabled" in button
    assert "暂时还不能“结束征询并开始公示”" in html and "还需" in html


def test_starting_the_consultation_moves_the_case(app, as_owner, app_people, app_journey):
    case_id = app_journey.new_case()
    v = version_of(app, app_people, case_id)
    r = as_owner.post(f"/my/cases/{case_id}/act/start_consultation", data={"version": v})
    assert r.status_code == 302
    assert state_of(app, app_people, case_id) == "consultation"
    assert "已完成：发起意见征询" in as_owner.get(r.headers["Location"]).get_data(as_text=True)


def test_a_double_click_is_refused_clearly_and_changes_nothing(
    app, as_owner, app_people, app_journey
):
    case_id = app_journey.new_case()
    v = version_of(app, app_people, case_id)
    as_owner.post(f"/my/cases/{case_id}/act/start_consultation", data={"version": v})
    after = version_of(app, app_people, case_id)
    r = as_owner.post(
        f"/my/cases/{case_id}/act/start_consultation", data={"version": v}, follow_redirects=True
    )
    assert "案件已被他人更新，请刷新页面后重试" in r.get_data(as_text=True)
    assert version_of(app, app_people, case_id) == after


def test_an_action_not_allowed_in_this_state_is_refused(app, as_owner, app_people, app_journey):
    case_id = app_journey.new_case()
    r = as_owner.post(f"/my/cases/{case_id}/act/submit", data={}, follow_redirects=True)
    assert "不能执行“提交申请”" in r.get_data(as_text=True)
    assert state_of(app, app_people, case_id) == "draft"


def test_an_unknown_action_is_not_found(as_owner, app_journey):
    case_id = app_journey.new_case()
    assert as_owner.get(f"/my/cases/{case_id}/act/fly").status_code == 404


def test_withdraw_asks_for_confirmation_first(app, as_owner, app_people, app_journey):
    case_id = app_journey.case_in("publicity")
    html = as_owner.get(f"/my/cases/{case_id}/act/withdraw").get_data(as_text=True)
    assert "撤回后，这份申请就结束了，不能恢复" in html
    assert "确认撤回申请" in html and "撤回原因（选填）" in html
    assert state_of(app, app_people, case_id) == "publicity"
    r = as_owner.post(f"/my/cases/{case_id}/act/withdraw", data={"reason": "邻居不同意"})
    assert r.status_code == 302
    assert state_of(app, app_people, case_id) == "withdrawn"


def test_withdraw_is_not_offered_after_acceptance(as_owner, app_journey):
    case_id = app_journey.case_in("review")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "/act/withdraw" not in html
    r = as_owner.get(f"/my/cases/{case_id}/act/withdraw", follow_redirects=True)
    assert "当前不能执行“撤回申请”" in r.get_data(as_text=True)


def test_construction_start_form_shows_errors_beside_fields(app, as_owner, app_people, app_journey):
    case_id = app_journey.case_in("approved")
    page = as_owner.get(f"/my/cases/{case_id}/act/start_construction").get_data(as_text=True)
    assert "施工单位" in page and 'type="date"' in page
    r = as_owner.post(
        f"/my/cases/{case_id}/act/start_construction",
        data={"contractor": "", "start_date": ""},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "请填写施工单位" in html and "请填写开工日期" in html
    assert 'href="#contractor"' in html and "请填写电梯安装单位名称" in html
    assert state_of(app, app_people, case_id) == "approved"
    from ..journey import INSTALLER, pdf_bytes

    rt = app.extensions["jiati"]
    services.upload_document(rt, app_people.owner.id, case_id, "installation_notice", pdf_bytes())
    app_journey.representatives_accept(case_id)
    r = as_owner.post(f"/my/cases/{case_id}/act/start_construction", data=INSTALLER)
    assert r.status_code == 302
    assert state_of(app, app_people, case_id) == "construction"


def test_a_malformed_date_is_kept_and_explained(as_owner, app_journey):
    case_id = app_journey.case_in("approved")
    r = as_owner.post(
        f"/my/cases/{case_id}/act/start_construction",
        data={"contractor": "安居电梯工程公司", "start_date": "明天"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "开工日期格式不正确" in html and 'value="安居电梯工程公司"' in html


def test_report_completion_is_blocked_until_both_papers_are_uploaded(as_owner, app_journey):
    case_id = app_journey.case_in("construction")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert re.search(r"<button[^>]*disabled[^>]*>报告竣工</button>", html)
    assert "特种设备监督检验报告" in html


def test_subsidy_application_page_takes_invoice_cost_and_payee(
    app, as_owner, app_people, app_journey
):
    case_id = app_journey.case_in("completed")
    html = as_owner.get(f"/my/cases/{case_id}/act/apply_subsidy").get_data(as_text=True)
    assert "上传发票" in html and "实际造价（元）" in html and "收款账户" in html
    r = as_owner.post(
        f"/my/cases/{case_id}/act/apply_subsidy", data={"actual_cost": "586000", "payee": "x"}
    )
    assert r.status_code == 400
    assert "发票" in r.get_data(as_text=True)
    assert state_of(app, app_people, case_id) == "completed"


def test_the_approved_subsidy_amount_is_shown(as_owner, app_journey):
    case_id = app_journey.case_in("subsidy_approved")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "核准补贴金额：100,000.00 元" in html
    assert "补贴已核准" in html


def test_progress_page_shows_history_letters_and_staff_as_departments(as_owner, app_journey):
    case_id = app_journey.case_in("approved")
    html = as_owner.get(f"/my/cases/{case_id}/progress").get_data(as_text=True)
    assert "受理通知书" in html and "准予加装电梯决定书" in html
    assert "创建申请" in html and "业主表决" in html and "受理" in html
    assert "赵住建" not in html and "王窗口" not in html
    assert 'aria-current="step"' in html


def test_progress_page_lists_correction_items_to_answer(app, as_owner, app_people, app_journey):
    from workflow import services

    case_id = app_journey.case_in("submitted")
    services.fire(
        app.extensions["jiati"], app_people.clerk.id, case_id, "request_correction",
        {"items": "设计方案缺结构安全评估\n公示照片不清楚"},
    )  # fmt: skip
    html = as_owner.get(f"/my/cases/{case_id}/progress").get_data(as_text=True)
    assert "需要补正的材料" in html
    assert "设计方案缺结构安全评估" in html and "公示照片不清楚" in html
    assert "补正材料通知书" in html


def test_pages_read_in_english_on_request(as_owner, app, app_people, app_journey):
    case_id = app_journey.case_in("consultation")
    html = as_owner.get(f"/my/cases/{case_id}?lang=en").get_data(as_text=True)
    assert "Next step" in html and "Finish consultation and start notice" in html
    assert "Send each household its signing link" in html
    html = as_owner.get(f"/my/cases/{case_id}/consent").get_data(as_text=True)  # remembered
    assert "Area taking part in the vote" in html and "Signing links" in html
    token = services.signing_links(app.extensions["jiati"], app_people.owner.id, case_id)[0]
    html = as_owner.get(f"/sign/{token['token']}").get_data(as_text=True)
    assert "Confirm and sign" in html and "I agree to add the elevator" in html


def test_each_blocking_reason_links_to_where_it_is_cleared(as_owner, app_journey):
    case_id = app_journey.case_in("publicity")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    reason = re.search(r"<li>缺少材料：设计方案[^<]*<a href=\"([^\"]+)\">去处理</a>", html)
    assert reason and reason.group(1) == f"/my/cases/{case_id}/documents"
