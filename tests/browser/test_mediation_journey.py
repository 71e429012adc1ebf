"""Mediation on a 375 px phone: a neighbour objects from its signing link, the applicant refers
the objection to the 街道's mediator, they reach no agreement, the mediator issues the
调解意见书; the case goes to the joint review and the approval letter names the objection."""

from __future__ import annotations

from tests.journey import PASSWORD, add_mediator, pdf_bytes
from workflow import services
from workflow.read import cases as queries

from .conftest import no_horizontal_scroll


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("手机号或用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()


def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=1, locale="zh-CN",
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    return context, context.new_page()


def test_no_agreement_goes_to_review_and_the_approval_names_the_objection(
    browser, live_server, live_people, live_journey, shot, axe_check
):
    live, rt, people = live_server, live_server.rt, live_people
    case_id = live_journey.case_in("publicity")
    services.upload_document(rt, people.owner.id, case_id, "design_plan", pdf_bytes())
    mediator = add_mediator(rt, people)
    token = next(
        x["token"] for x in services.signing_links(rt, people.owner.id, case_id)
        if x["room"] == "101"
    )  # fmt: skip
    context, page = phone(browser)

    # The neighbour at 101 objects from its own link.
    page.goto(f"{live.url}/sign/{token}")
    page.get_by_text("对加装电梯有意见？在这里提出异议").click()
    page.get_by_label("异议内容").fill("电梯井道紧贴我家窗户，影响采光")
    page.get_by_role("button", name="提交异议").click()
    assert page.get_by_role("heading", name="您提出的异议").is_visible()
    assert no_horizontal_scroll(page)

    # The applicant refers it to mediation from the notice page.
    log_in(page, live.url, people.owner.username)
    page.goto(f"{live.url}/my/cases/{case_id}/notice")
    page.get_by_role("button", name="提交街道调解").click()
    assert "调解中" in page.content()
    assert no_horizontal_scroll(page)
    shot(page, "1-referred")
    axe_check(page)
    log_out(page)

    # The mediator meets them once; no agreement; the mediator writes the opinion.
    log_in(page, live.url, mediator.username)
    assert page.url.endswith("/staff/mediations")
    assert no_horizontal_scroll(page)
    axe_check(page)
    page.get_by_role(
        "link", name=queries.describe_case(rt, people.owner.id, case_id)["reference"]
    ).click()
    page.get_by_label("调解日期").fill(rt.clock().date().isoformat())
    page.get_by_label("调解地点").fill("光武社区调解室")
    page.get_by_label("参加人员（用顿号或逗号分隔）").fill("101室业主、申请人、设计单位代表")
    page.get_by_label("调解情况（各方意见、提出的方案）").fill(
        "设计单位提出井道改用玻璃幕墙，101室业主仍不同意"
    )
    page.get_by_role("button", name="保存调解记录").click()
    assert "调解记录已保存" in page.content()
    page.get_by_role("radio", name="未达成一致").check()
    page.get_by_label("调解意见（未达成一致时必填）").fill("采光影响在规范允许范围内，建议准予加装")
    assert no_horizontal_scroll(page)
    shot(page, "2-mediator-outcome")
    axe_check(page)
    page.get_by_role("button", name="记录结果并出具调解意见书").click()
    record = page.get_by_role("link", name="下载调解意见书")
    head = page.evaluate(
        "async (href) => { const b = await (await fetch(href)).arrayBuffer();"
        " return String.fromCharCode(...new Uint8Array(b).slice(0, 5)); }",
        record.get_attribute("href"),
    )
    assert head == "%PDF-"
    shot(page, "3-record-issued")
    log_out(page)

    # Now the case may be submitted, accepted and reviewed.
    services.fire(rt, people.owner.id, case_id, "submit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    live_journey.all_agree(case_id)

    # The approvers see the objection and its 调解意见书; the lead says how it was weighed.
    log_in(page, live.url, "housing")
    page.goto(f"{live.url}/staff/cases/{case_id}")
    assert page.locator("#objections").get_by_role("link", name="调解意见书").is_visible()
    page.locator("#action-approve").get_by_label("对异议的审查意见").fill(
        "日照分析表明加装后101室采光仍符合规范，不构成不予批准的理由"
    )
    page.locator("#action-approve").get_by_role("button", name="准予加装").click()
    assert queries.describe_case(rt, people.clerk.id, case_id)["state"] == "approved"
    letter = next(
        x for x in queries.describe_case(rt, people.clerk.id, case_id)["letters"]
        if x["kind"] == "approval_decision"
    )  # fmt: skip
    page.goto(f"{live.url}/letters/{letter['id']}")
    text = page.content()
    assert "异议及处理情况" in text and "电梯井道紧贴我家窗户，影响采光" in text
    assert "经调解未达成一致" in text and "不构成不予批准的理由" in text
    shot(page, "4-approval-names-the-objection")
    context.close()
