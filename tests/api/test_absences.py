"""`PUT|GET|DELETE /api/v1/me/absence`: a clerk away names a colleague; the colleague's acts on
the clerk's cases read "刘窗口（代王窗口）" in the history; refusals say why, in Chinese."""

from __future__ import annotations

import pytest

from workflow import services

from ..journey import PASSWORD
from .conftest import assert_error

WEEK = {"from": "2026-11-23", "to": "2026-11-27"}


@pytest.fixture
def clerk2(app, app_people):
    app_people.clerk2 = services.create_user(
        app.extensions["jiati"], None, username="clerk2", password=PASSWORD, role="clerk",
        name="刘窗口",
    )  # fmt: skip
    return app_people.clerk2


def test_a_clerk_records_an_absence_and_withdraws_it(api, clerk2):
    r = api.put("/me/absence", "clerk", json={**WEEK, "stand_in": "clerk2"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {
        **WEEK,
        "stand_in": {"username": "clerk2", "name": "刘窗口"},
        "current": True,
    }
    mine = api.get("/me/absence", "clerk").get_json()
    assert mine["absence"]["stand_in"]["username"] == "clerk2"
    assert mine["standing_in_for"] == []
    covering = api.get("/me/absence", "clerk2").get_json()
    assert covering["absence"] is None
    assert [(c["username"], c["from"], c["current"]) for c in covering["standing_in_for"]] == [
        ("clerk", "2026-11-23", True)
    ]
    assert api.delete("/me/absence", "clerk").status_code == 204
    assert api.get("/me/absence", "clerk").get_json()["absence"] is None
    assert api.delete("/me/absence", "clerk").status_code == 204  # nothing left: the same


def test_the_stand_ins_act_reads_in_whose_stead_in_the_history(api, app_journey, clerk2):
    case_id = app_journey.case_in("submitted")
    assert api.put(f"/cases/{case_id}/handler", "clerk", json={"username": "clerk"}).status_code
    api.put("/me/absence", "clerk", json={**WEEK, "stand_in": "clerk2"})
    assert [c["id"] for c in api.get("/cases?handler=me", "clerk2").get_json()["items"]] == [
        case_id
    ]
    assert api.fire(case_id, "accept", "clerk2").status_code == 200
    events = api.get(f"/cases/{case_id}/history", "clerk").get_json()["events"]
    accepted = next(e for e in events if e["kind"] == "accept")
    assert accepted["who"] == "刘窗口（代王窗口）"
    assert accepted["payload"]["on_behalf_of"]["name"] == "王窗口"


def test_refusals_give_every_reason_in_chinese(api, clerk2):
    r = api.put("/me/absence", "clerk", json={"from": "2026-11-27", "to": "2026-11-23",
                                              "stand_in": "clerk"})  # fmt: skip
    body = assert_error(r, 422, "guards_failed")
    assert "结束日期不能早于开始日期" in body["message"]
    assert "不能指定自己为代理人" in body["message"]
    r = api.put("/me/absence", "clerk", json={**WEEK, "stand_in": "housing"})
    assert "同一岗位、同一角色" in assert_error(r, 422)["message"]
    r = api.put("/me/absence", "clerk", json={**WEEK, "stand_in": "no-one"})
    assert "没有这位在岗的工作人员" in assert_error(r, 422)["message"]


def test_a_chain_of_stand_ins_is_refused(api, app, clerk2):
    services.create_user(
        app.extensions["jiati"], None, username="clerk3", password=PASSWORD, role="clerk",
        name="陈窗口",
    )  # fmt: skip
    assert api.put("/me/absence", "clerk", json={**WEEK, "stand_in": "clerk2"}).status_code == 200
    r = api.put("/me/absence", "clerk2", json={**WEEK, "stand_in": "clerk3"})
    assert "代理王窗口的工作" in assert_error(r, 422)["message"]


def test_malformed_bodies_and_other_roles_are_refused(api, clerk2):
    assert_error(api.put("/me/absence", "clerk", json={"from": "2026-11-23"}), 400)
    r = api.put("/me/absence", "clerk", json={**WEEK, "from": "2026-11-31", "stand_in": "clerk2"})
    assert "开始日期" in assert_error(r, 400)["message"]
    for who in ("owner", "admin"):
        assert_error(api.put("/me/absence", who, json={**WEEK, "stand_in": "clerk"}), 403)
        assert_error(api.get("/me/absence", who), 403)
        assert_error(api.delete("/me/absence", who), 403)
    assert_error(api.get("/me/absence"), 401)
