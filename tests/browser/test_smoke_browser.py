from .conftest import no_horizontal_scroll


def test_homeowner_welcome_page_fits_a_phone(page, live_server, shot, axe_check):
    page.goto(live_server.url + "/auth/welcome")
    assert page.get_by_role("heading", level=1).inner_text().startswith("既有住宅加装电梯")
    assert no_horizontal_scroll(page)
    shot(page, "welcome")
    axe_check(page)


def test_login_page_passes_axe_at_desk_size(page, live_server, live_people, axe_check):
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("手机号或用户名").fill("clerk")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "密码不正确" in page.content()
    axe_check(page)
