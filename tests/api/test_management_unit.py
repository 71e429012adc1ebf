"""The case input `management_unit`: who runs the elevator, named with the costs and kept
until completion is reported, which is refused without it."""

from __future__ import annotations

from workflow import services

from ..journey import COMPLETION, MANAGEMENT_UNIT, pdf_bytes
from .conftest import application_json, assert_error

COMMUNITY = {
    "kind": "community",
    "name": "枣阳市南城街道翠湖社区居民委员会",
    "credit_code": "91420683MA4F0A1B2Y",
    "phone": "0710-6221234",
}


def test_the_owners_name_who_runs_the_elevator_when_opening_the_case(api):
    r = api.post("/cases", "owner", json={**application_json(), "management_unit": MANAGEMENT_UNIT})
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()["management_unit"]
    assert unit == MANAGEMENT_UNIT  # the applicant sees the phone in full


def test_an_organisation_needs_a_valid_credit_code_the_owners_do_not(api):
    bad = {**MANAGEMENT_UNIT, "credit_code": "91420683MA4F0A1B2X"}
    body = assert_error(
        api.post("/cases", "owner", json={**application_json(), "management_unit": bad}), 400
    )
    assert [d["code"] for d in body["details"]] == ["management_unit.credit_code"]
    owners = {"kind": "owners", "name": "李秀英", "phone": "13800000001"}
    r = api.post("/cases", "owner", json={**application_json(), "management_unit": owners})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["management_unit"]["credit_code"] == ""


def test_the_unit_may_change_during_construction_but_not_after_completion_is_reported(
    api, app_journey
):
    case_id = app_journey.case_in("construction")
    r = api.call("PATCH", f"/cases/{case_id}", "owner", json={"management_unit": COMMUNITY})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["management_unit"]["name"] == COMMUNITY["name"]
    # A clerk sees the contact phone masked.
    assert api.case(case_id, "clerk")["management_unit"]["phone"] == "071****1234"

    app_journey.step(case_id, "acceptance")
    r = api.call("PATCH", f"/cases/{case_id}", "owner", json={"management_unit": MANAGEMENT_UNIT})
    assert_error(r, 409)


def test_report_completion_is_refused_without_the_unit(api, app_journey, app_people):
    rt = app_journey.rt
    case_id = app_journey.case_in("construction")
    r = api.call("PATCH", f"/cases/{case_id}", "owner", json={"management_unit": None})
    assert r.status_code == 200 and r.get_json()["management_unit"] is None
    for kind in ("inspection_report", "equipment_registration"):
        services.upload_document(rt, app_people.owner.id, case_id, kind, pdf_bytes())
    body = assert_error(api.fire(case_id, "report_completion", "owner", json=COMPLETION), 422)
    assert [d["code"] for d in body["details"]] == ["management_unit"]
    assert "使用管理单位" in body["details"][0]["message"]


def test_the_agreement_sets_its_own_running_cost_shares(api, app_journey):
    """POST takes the parts with the case, PATCH changes them before anyone votes and, once
    someone has, only by restarting the consultation; null goes back to the same ratios."""
    parts = {"301": 1, "401": 1, "501": 1, "601": 1}
    r = api.post(
        "/cases", "owner",
        json={**application_json(), "running_cost": "12000", "running_cost_shares": parts},
    )  # fmt: skip
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert case["costs"]["running_cost_shares"] == parts
    assert sorted(case["costs"]["running_shares_fen"].values()) == [0, 0] + [300_000] * 4

    bad = api.post(
        "/cases", "owner", json={**application_json(), "running_cost_shares": {"701": 1}}
    )
    assert [d["code"] for d in assert_error(bad, 400)["details"]] == ["running_cost_shares.701"]
    bad = api.call(
        "PATCH", f"/cases/{case['id']}", "owner", json={"running_cost_shares": {"301": 1.5}}
    )
    assert_error(bad, 400)

    case_id = app_journey.case_in("consultation")
    app_journey.sign_all(case_id, ["agree"])
    r = api.call("PATCH", f"/cases/{case_id}", "owner", json={"running_cost_shares": parts})
    assert "重新发起意见征询" in assert_error(r, 409)["details"][0]["message"]
    r = api.call(
        "PATCH", f"/cases/{case_id}", "owner",
        json={"running_cost_shares": parts, "restart_consultation": True, "reason": "协议约定"},
    )  # fmt: skip
    assert r.status_code == 200 and r.get_json()["costs"]["running_cost_shares"] == parts
    r = api.call("PATCH", f"/cases/{case_id}", "owner", json={"running_cost_shares": None})
    assert r.status_code == 200 and r.get_json()["costs"]["running_cost_shares"] is None
