"""Approver pages in a real browser: opinion, subsidy, refusals; axe-core on each."""

from __future__ import annotations

from tests.browser.test_clerk_journey import log_in, state_of


def test_approver_subsidy_prefilled_and_lower_amount_needs_reason(
    page, live_server, live_people, live_journey, shot, axe_check
):
    live = live_server
    case_id = live_journey.case_in("subsidy_review")
    log_in(page, live.url, "housing")
    page.goto(f"{live.url}/staff/cases/{case_id}")
    form = page.locator("#action-approve_subsidy")
    amount = form.get_by_label("核准金额（元）")
    assert amount.input_value() == "100,000.00"
    axe_check(page)
    amount.fill("90000")
    form.get_by_role("button", name="核准补贴").click()
    assert "须说明理由" in page.content()
    assert state_of(live, live_people, case_id) == "subsidy_review"
    shot(page, "refused-lower-amount")
    axe_check(page)
    form = page.locator("#action-approve_subsidy")
    form.get_by_label("核准金额（元）").fill("90000")
    form.get_by_label("低于标准的理由").fill("部分费用不属于补贴范围")
    form.get_by_role("button", name="核准补贴").click()
    assert state_of(live, live_people, case_id) == "subsidy_approved"


def test_approver_disagrees_with_a_comment(page, live_server, live_people, live_journey, axe_check):
    live = live_server
    case_id = live_journey.case_in("review")
    log_in(page, live.url, "planning")
    page.goto(f"{live.url}/staff/cases/{case_id}")
    page.get_by_role("radio", name="不同意").check()
    page.get_by_role("button", name="提交本部门意见").click()
    assert "不同意时请说明理由" in page.content()
    axe_check(page)
    page.get_by_role("radio", name="不同意").check()
    page.get_by_label("意见说明（不同意时必填）").fill("占用消防通道")
    page.get_by_role("button", name="提交本部门意见").click()
    assert "占用消防通道" in page.content()
