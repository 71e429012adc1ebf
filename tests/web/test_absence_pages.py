"""/staff/absence: a clerk records an absence naming a colleague, sees it and withdraws it; the
colleague sees whom they stand in for; the case page's history names both."""

from __future__ import annotations

import pytest

from tests.conftest import login
from workflow import services

from ..journey import PASSWORD


@pytest.fixture
def clerk2(app):
    return services.create_user(
        app.extensions["jiati"], None, username="clerk2", password=PASSWORD, role="clerk",
        name="刘窗口",
    )  # fmt: skip


WEEK = {"starts_on": "2026-11-23", "ends_on": "2026-11-27"}


def test_the_nav_leads_to_the_page_and_it_offers_colleagues_of_the_desk(as_clerk, clerk2):
    assert 'href="/staff/absence"' in as_clerk.get("/staff/").get_data(as_text=True)
    page = as_clerk.get("/staff/absence").get_data(as_text=True)
    assert '<option value="clerk2">刘窗口（clerk2）</option>' in page
    assert "housing" not in page  # an approver is no stand-in for a clerk


def test_a_clerk_records_the_absence_and_withdraws_it(as_clerk, clerk2, app, app_people):
    r = as_clerk.post("/staff/absence", data={**WEEK, "stand_in": "clerk2"})
    assert r.status_code == 303
    page = as_clerk.get("/staff/absence").get_data(as_text=True)
    assert "已登记请假，代理人已收到通知。" in page
    assert "2026-11-23 至 2026-11-27" in page and "刘窗口（clerk2）" in page
    assert 'value="2026-11-27"' in page  # the form offers to change what is recorded
    r = as_clerk.post("/staff/absence/clear")
    assert r.status_code == 303
    assert services.my_absence(app.extensions["jiati"], app_people.clerk.id) is None


def test_a_refusal_is_shown_beside_the_field(as_clerk, clerk2):
    r = as_clerk.post("/staff/absence", data={**WEEK, "stand_in": "clerk"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert 'id="stand_in-error">不能指定自己为代理人。' in page
    r = as_clerk.post("/staff/absence", data={"starts_on": "2026-11-27", "ends_on": "2026-11-23",
                                              "stand_in": "clerk2"})  # fmt: skip
    assert 'id="ends_on-error">结束日期不能早于开始日期。' in r.get_data(as_text=True)


def test_the_stand_in_sees_whom_they_cover_and_acts_in_their_stead(
    client, app, app_people, app_journey, clerk2
):
    rt = app.extensions["jiati"]
    case_id = app_journey.case_in("submitted")
    services.set_handler(rt, app_people.clerk.id, case_id, "clerk")
    services.set_absence(rt, app_people.clerk.id, "2026-11-23", "2026-11-27", "clerk2")
    login(client, "clerk2")
    page = client.get("/staff/absence").get_data(as_text=True)
    assert "我代理的同事" in page and "王窗口：2026-11-23 至 2026-11-27" in page
    assert "代为办理" in client.get("/inbox/").get_data(as_text=True)
    queue = client.get("/staff/?handler=me").get_data(as_text=True)
    assert "王窗口（请假，由我代理）" in queue  # the absent colleague's case, under "mine"
    services.fire(rt, clerk2.id, case_id, "accept")
    history = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "刘窗口（代王窗口）" in history


def test_other_roles_have_no_absence_page(client, app_people):
    login(client, app_people.owner.username)
    assert client.get("/staff/absence").status_code == 403
    login(client, app_people.admin.username)
    assert client.get("/staff/absence").status_code == 403
