"""The clerk's window in a real browser: accept → joint review → approval → the printed
decision, and a correction round-trip; every staff page checked with axe-core."""

from __future__ import annotations

from tests.journey import PASSWORD, pdf_bytes
from workflow import services
from workflow.read import cases as queries


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("手机号或用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def log_out(page) -> None:
    page.get_by_role("button", name="退出").click()


def state_of(live, people, case_id: int) -> str:
    return queries.describe_case(live.rt, people.clerk.id, case_id)["state"]


def give_opinion(page, live, case_id: int, who: str, comment: str) -> None:
    log_in(page, live.url, who)
    page.goto(f"{live.url}/staff/cases/{case_id}")
    page.get_by_role("radio", name="同意", exact=True).check()
    page.get_by_label("意见说明（不同意时必填）").fill(comment)
    page.get_by_role("button", name="提交本部门意见").click()
    assert "本部门意见已记录" in page.content()
    log_out(page)


def test_clerk_accepts_departments_agree_lead_approves_clerk_prints(
    page, live_server, live_people, live_journey, shot, axe_check
):
    live = live_server
    case_id = live_journey.case_in("submitted")

    log_in(page, live.url, "clerk")
    assert page.url.endswith("/staff/")
    row = page.get_by_role("row").filter(has_text="翠湖花园")
    assert "剩 2 个工作日" in row.inner_text()
    shot(page, "1-clerk-queue")
    axe_check(page)

    row.get_by_role("link").click()
    assert page.get_by_role("heading", name="申请材料（4 项）").is_visible()
    shot(page, "2-completeness-check")
    axe_check(page)
    page.locator("#action-accept").get_by_role("button", name="受理").click()
    assert "已办理" in page.content()
    assert state_of(live, live_people, case_id) == "review"
    log_out(page)

    # The lead sees approve disabled, with the departments still missing.
    log_in(page, live.url, "housing")
    assert page.url.endswith("/staff/review")
    axe_check(page)
    page.goto(f"{live.url}/staff/cases/{case_id}")
    approve = page.locator("#action-approve")
    assert approve.get_by_role("button", name="准予加装").is_disabled()
    assert "自然资源和规划" in approve.inner_text()
    shot(page, "3-lead-before-opinions")
    axe_check(page)
    log_out(page)

    give_opinion(page, live, case_id, "planning", "符合规划要求")
    give_opinion(page, live, case_id, "market", "电梯型号已备案")
    give_opinion(page, live, case_id, "housing", "结构安全评估合格")

    log_in(page, live.url, "housing")
    page.goto(f"{live.url}/staff/cases/{case_id}")
    button = page.locator("#action-approve").get_by_role("button", name="准予加装")
    assert button.is_enabled()
    button.click()
    assert state_of(live, live_people, case_id) == "approved"
    shot(page, "4-approved")
    log_out(page)

    log_in(page, live.url, "clerk")
    page.goto(f"{live.url}/staff/cases/{case_id}/letters")
    boxes = page.locator("input[name=letter_ids]")
    assert boxes.count() == 2
    shot(page, "5-letters")
    axe_check(page)
    page.goto(f"{live.url}/staff/letters")
    assert page.locator("input[name=letter_ids]").count() == 2
    axe_check(page)
    # The clerk prints both letters as one PDF: a job merges them, its page shows the progress
    # (here the in-process queue has finished before the page loads), then the PDF.
    page.get_by_role("button", name="合并打印所选文书（PDF）").click()
    page.get_by_role("heading", name="合并完成：共 2 份文书").wait_for()
    assert page.locator("progress.batch-bar").get_attribute("value") == "2"
    done = page.get_by_role("link", name="打开 PDF 打印")
    axe_check(page)
    head = page.evaluate(
        "async (href) => { const b = await (await fetch(href)).arrayBuffer();"
        " return String.fromCharCode(...new Uint8Array(b).slice(0, 5)); }",
        done.get_attribute("href"),
    )
    assert head == "%PDF-"
    shot(page, "6-letters-merged")


def test_clerk_correction_round_trip(page, live_server, live_people, live_journey, shot, axe_check):
    live = live_server
    case_id = live_journey.case_in("submitted")

    log_in(page, live.url, "clerk")
    page.goto(f"{live.url}/staff/cases/{case_id}")
    form = page.locator("#action-request_correction")
    form.get_by_role("button", name="要求补正").click()  # nothing ticked: refused, nothing changes
    assert page.locator(".flash-error").count() >= 1
    assert state_of(live, live_people, case_id) == "submitted"
    form = page.locator("#action-request_correction")
    form.get_by_role("checkbox", name="设计方案（含结构安全评估）").check()
    form.get_by_role("textbox", name="设计方案（含结构安全评估） 的问题").fill(
        "缺少结构安全评估报告"
    )
    form.get_by_label("其他需补正的事项（每行一项）").fill("301 室签名不清晰")
    shot(page, "1-correction-checklist")
    form.get_by_role("button", name="要求补正").click()
    assert state_of(live, live_people, case_id) == "correction"
    c = queries.describe_case(live.rt, live_people.clerk.id, case_id)
    assert [i["text"] for i in c["corrections"][-1]["items"]] == [
        "缺少结构安全评估报告",
        "301 室签名不清晰",
    ]
    assert "补正材料通知书" in page.content() or c["letters"][-1]["kind"] == "correction_notice"
    axe_check(page)

    # The applicant replaces the design plan and resubmits.
    live.clock.advance(hours=2)
    services.upload_document(
        live.rt, live_people.owner.id, case_id, "design_plan", pdf_bytes(2), "plan-v2.pdf"
    )
    services.fire(live.rt, live_people.owner.id, case_id, "resubmit")

    page.goto(f"{live.url}/staff/")
    page.get_by_role("row").filter(has_text="翠湖花园").get_by_role("link").click()
    page.locator("#action-accept").get_by_role("button", name="受理").click()
    assert state_of(live, live_people, case_id) == "review"
    shot(page, "2-accepted-after-correction")
