"""The roster and the signing page work with JavaScript switched off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from workflow import services

from ..journey import PASSWORD, Journey
from .conftest import no_horizontal_scroll


@pytest.fixture
def plain_page(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_homeowner_roster_rows_add_and_remove_without_javascript(
    plain_page, live_server, live_people, shot
):
    page, base = plain_page, live_server.url
    page.goto(base + "/auth/login")
    page.get_by_label("手机号或用户名").fill(live_people.owner.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(base + "/my/new")
    page.get_by_label("小区名称").fill("翠湖花园")
    page.locator("#households-0-room").fill("101")
    page.locator("#households-1-room").fill("201")
    page.get_by_role("button", name="＋ 再加一户").click()
    expect(page.locator("#households-2-room")).to_be_visible()
    assert page.get_by_label("小区名称").input_value() == "翠湖花园"
    page.locator("#households-2-room").fill("301")
    page.get_by_role("button", name="删除第 1 行").click()
    expect(page.locator("#households-0-room")).to_have_value("201")
    expect(page.locator("#households-1-room")).to_have_value("301")
    assert no_horizontal_scroll(page)
    shot(page, "roster-without-js")


def test_homeowner_owner_signs_without_javascript(plain_page, live_server, live_people, shot):
    journey = Journey(live_server.rt, live_people)
    case_id = journey.case_in("consultation")
    link = services.signing_links(live_server.rt, live_people.owner.id, case_id)[3]
    page = plain_page
    page.goto(f"{live_server.url}/sign/{link['token']}")
    expect(page.locator("#signature-pad")).to_be_hidden()  # the drawing needs JavaScript
    page.get_by_label("业主姓名（与住户名单一致）").fill(link["owner_name"])
    page.get_by_label("手机号后四位").fill(link["phone"][-4:])
    page.get_by_label("反对").check()
    page.get_by_role("button", name="确认并签字").click()
    expect(page.locator("body")).to_contain_text("本户已表决：反对")
    shot(page, "signed-without-js")
