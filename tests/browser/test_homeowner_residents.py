"""居民监督、居民不满意不验收 in a real browser: on a phone (375×812) a representative reports a
problem with a photo through the household's link and the applicant answers it on the case
page; at the window the clerk's confirmation is refused while the problem is open, and goes
through once the representative has closed it."""

from __future__ import annotations

from PIL import Image
from playwright.sync_api import expect

from .test_clerk_journey import log_in
from .test_homeowner_journey import check


def test_homeowner_residents_problem_blocks_completion_until_closed(
    page, browser, live_server, live_people, live_journey, shot, axe_check, tmp_path
):
    live, rt = live_server, live_server.rt
    case_id = live_journey.case_in("construction")  # representatives 101, 201, 301 accepted
    token = live_journey.tokens(case_id)["101"]
    photo = tmp_path / "crack.jpg"
    Image.new("RGB", (3000, 2000), (150, 140, 120)).save(photo, format="JPEG")

    # — the representative, on the household's link ——————————————————————————————
    page.goto(f"{live.url}/sign/{token}")
    expect(page.locator("#residents")).to_contain_text("本户是居民监督代表")
    page.get_by_text("反映施工问题（可拍照）").click()
    page.get_by_label("问题描述").fill("三楼候梯厅地砖开裂")
    page.get_by_label("照片（选填，最多 6 张）").set_input_files(str(photo))
    check(page, shot, axe_check, "01-link-report-problem")
    page.get_by_role("button", name="提交问题").click()
    expect(page.locator(".flash-success")).to_contain_text("问题已提交")
    shown = page.locator("#residents .photos img").first
    expect(shown).to_be_visible()
    check(page, shot, axe_check, "02-link-problem-open")

    # — the applicant answers on the case page (same phone, logged in) ——————————————————
    log_in(page, live.url, live_people.owner.username)
    page.goto(f"{live.url}/my/cases/{case_id}")
    expect(page.locator("#residents")).to_contain_text("三楼候梯厅地砖开裂")
    page.get_by_label("答复（已采取的措施）").fill("已更换开裂地砖")
    check(page, shot, axe_check, "03-case-answer-problem")
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator(".flash-success")).to_contain_text("答复居民反映的问题")

    # Completion is reported and every household is satisfied (through the services).
    live_journey.step(case_id, "acceptance")
    live_journey.residents_satisfied(case_id)

    # — the clerk, at a desk: confirmation refused while the problem is open ——————————————
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    clerk = desk.new_page()
    log_in(clerk, live.url, "clerk")
    clerk.goto(f"{live.url}/staff/cases/{case_id}")
    action = clerk.locator("#action-confirm_completion")
    expect(action.get_by_role("button", name="确认竣工")).to_be_disabled()
    expect(action).to_contain_text("101 室反映的问题尚未解决：三楼候梯厅地砖开裂")
    expect(clerk.locator("#residents")).to_contain_text("居民不满意不验收")
    shot(clerk, "04-staff-confirmation-refused")
    axe_check(clerk)

    # — the representative closes the problem; the clerk confirms ——————————————————————
    page.goto(f"{live.url}/sign/{token}")
    expect(page.locator("#residents")).to_contain_text("申请人答复")
    page.get_by_role("button", name="已解决，关闭问题").click()
    expect(page.locator(".flash-success")).to_contain_text("问题已关闭")
    check(page, shot, axe_check, "05-link-problem-closed")

    clerk.reload()
    expect(clerk.locator("#residents")).to_contain_text("可以确认竣工")
    clerk.locator("#action-confirm_completion").get_by_role("button", name="确认竣工").click()
    expect(clerk.locator("body")).to_contain_text("已竣工")
    shot(clerk, "06-staff-completed")
    desk.close()
    with rt.db.session() as s:
        from workflow.data.models import Case

        assert s.get(Case, case_id).state == "completed"
