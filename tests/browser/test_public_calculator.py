"""The public cost calculator on a phone (375 px), with JavaScript and without, and the guide
and front page it is reached from. Owner-sized: 18 px text, 44 px targets, no serious axe
violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import no_horizontal_scroll


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def plain_phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _fill(page, floors="6", per_floor="2", area="85", cost="450000"):
    page.get_by_label("楼层数（地上）").fill(floors)
    page.get_by_label("每层户数").fill(per_floor)
    page.get_by_label("每户面积相同（m²）").fill(area)
    page.get_by_label("预计总造价（元）").fill(cost)


def _owner_sized(page) -> None:
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 18
    small = page.evaluate(
        """() => [...document.querySelectorAll('main button, main input, main summary')]
            .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
            .map(e => e.outerHTML.slice(0, 80))"""
    )
    assert small == []


def test_homeowner_calculator_updates_as_one_types(phone, live_server, shot, axe_check):
    page = phone
    page.goto(live_server.url + "/calculator")
    _fill(page, cost="500000")
    # No button pressed: the figures follow the typing.
    expect(page.locator("#shares-total")).to_have_text("400,000.00")
    page.get_by_label("楼层数（地上）").fill("5")
    expect(page.locator("#calc-result")).to_contain_text("90,000.00")  # the 5-floor tier
    expect(page.locator("#area-5-2")).to_be_attached()
    expect(page.locator("#area-6-1")).not_to_be_attached()
    page.get_by_label("预计总造价（元）").fill("abc")
    expect(page.locator("#estimated_cost-error")).to_be_visible()
    page.get_by_label("预计总造价（元）").fill("450000")
    expect(page.locator("#shares-total")).to_have_text("360,000.00")
    assert no_horizontal_scroll(page)
    _owner_sized(page)
    axe_check(page)
    shot(page, "calculator-js")


def test_homeowner_calculator_works_without_javascript(plain_phone, live_server, shot):
    # axe-core needs JavaScript to run: the same markup is checked in the test above.
    page = plain_phone
    page.goto(live_server.url + "/calculator")
    _fill(page, floors="4", per_floor="3", area="72.5", cost="320000")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#shares-total")).to_have_text("240,000.00")  # 320,000 − 80,000
    expect(page.locator("#calc-result")).to_contain_text("至少 8 户")
    page.get_by_text("逐户面积（可选）").click()
    page.locator("#area-4-1").fill("95")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#calc-result")).to_contain_text("95.00")
    expect(page.locator("#shares-total")).to_have_text("240,000.00")
    shot(page, "calculator-plain")


def test_homeowner_reaches_guide_and_calculator_from_the_front_page(
    phone, live_server, shot, axe_check
):
    page = phone
    page.goto(live_server.url + "/")
    axe_check(page)
    shot(page, "front")
    page.get_by_role("link", name="办事指南").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("办事指南")
    assert no_horizontal_scroll(page)
    axe_check(page)
    shot(page, "guide")
    page.get_by_role("link", name="费用计算器").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("加装电梯费用计算器")
