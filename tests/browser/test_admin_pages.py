"""The admin's pages in the browser: each one passes axe-core, and a holiday entered for a
year chinese_calendar does not cover is saved."""

import pytest


def login(page, live_server, username):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号或用户名").fill(username)
    page.get_by_label("密码").fill("secret-pass-1")
    page.get_by_role("button", name="登录").click()


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/users", "/admin/settings", "/admin/holidays", "/admin/statistics"]
)
def test_admin_page_passes_axe(page, live_server, live_journey, shot, axe_check, path):
    live_journey.case_in("approved")
    login(page, live_server, "admin")
    response = page.goto(live_server.url + path)
    assert response.status == 200
    shot(page, path.strip("/").replace("/", "-") or "index")
    axe_check(page)


def test_admin_enters_a_holiday_for_an_uncovered_year(page, live_server, live_people):
    login(page, live_server, "admin")
    page.goto(live_server.url + "/admin/holidays")
    page.get_by_label("日期").fill("2027-02-08")
    page.get_by_label("名称（如 春节）").fill("春节")
    page.get_by_role("button", name="保存").click()
    assert "2027-02-08" in page.content()
    from workflow.read import registers

    assert [h["day"].isoformat() for h in registers.holiday_rows(live_server.rt)] == ["2027-02-08"]
