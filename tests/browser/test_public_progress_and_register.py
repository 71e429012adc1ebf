"""The public's pages on a phone: a neighbour follows a case on /track by reference and phone
tail, and reads the city's register; both pass axe-core and fit 375 px without sideways
scrolling of the page."""

from __future__ import annotations

import pytest

from workflow import services
from workflow.read import cases as queries

from .conftest import no_horizontal_scroll


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_progress_lookup_shows_the_pause_of_a_correction(
    phone, live_server, live_journey, live_people, shot, axe_check
):
    rt = live_server.rt
    case_id = live_journey.case_in("review")
    services.fire(rt, live_people.planning.id, case_id, "return_for_correction", {"items": "补图"})
    ref = queries.describe_case(rt, live_people.owner.id, case_id)["reference"]
    phone.goto(live_server.url + "/track")
    phone.get_by_label("案件编号").fill(ref)
    phone.get_by_label("申请人手机号后四位").fill("0001")
    phone.get_by_role("button", name="查询").click()
    body = phone.content()
    assert "补正中" in body and "补正暂停" in body and "保留 10 个工作日" in body
    assert "李秀英" not in body
    assert no_horizontal_scroll(phone)
    shot(phone, "track")
    axe_check(phone)


def test_public_register_filters_by_street(phone, live_server, live_journey, shot, axe_check):
    live_journey.case_in("subsidy_approved", street="南城街道")
    live_journey.case_in("approved", street="北城街道", community="东湖小区")
    phone.goto(live_server.url + "/projects")
    phone.get_by_label("街道").select_option("北城街道")
    phone.get_by_role("button", name="筛选").click()
    body = phone.content()
    assert "东湖小区" in body and "翠湖花园" not in body
    assert no_horizontal_scroll(phone)
    shot(phone, "projects")
    axe_check(phone)
