"""/api/v1/track for other systems (no token), and the legal clocks through the API."""

from __future__ import annotations

import json


def test_track_answers_progress_without_personal_data(api, app_journey):
    case_id = app_journey.case_in("review")
    ref = api.case(case_id)["reference"]
    r = api.get(f"/track?reference={ref}&phone_tail=0001")
    assert r.status_code == 200
    body = r.get_json()
    assert body["state"] == "review" and body["deadline"]["due"] == "2026-12-07"
    assert [s["status"] for s in body["stepper"]][:5] == ["done"] * 4 + ["current"]
    assert [d["trigger"] for d in body["dates"]][-1] == "accept"
    text = json.dumps(body, ensure_ascii=False)
    for private in ("李秀英", "陈桂兰", "建设路", "翠湖花园", "13800000001"):
        assert private not in text


def test_track_refuses_a_wrong_tail_and_malformed_input(api, app_journey):
    case_id = app_journey.case_in("submitted")
    ref = api.case(case_id)["reference"]
    assert api.get(f"/track?reference={ref}&phone_tail=1234").status_code == 404
    bad = api.get(f"/track?reference={ref}&phone_tail=12")
    assert bad.status_code == 400 and bad.get_json()["details"][0]["code"] == "phone_tail"


def test_lead_approver_extends_the_review_through_the_api(api, app_journey):
    case_id = app_journey.case_in("review")
    version = api.case(case_id, "housing")["version"]
    r = api.fire(
        case_id,
        "extend_review",
        "housing",
        json={"days": 3, "reason": "需组织专家论证"},
        headers={"If-Match": str(version)},
    )
    assert r.status_code == 200, r.get_json()
    case = api.case(case_id, "housing")
    assert case["deadline"]["due"] == "2026-12-10"
    assert case["letters"][-1]["number"] == "枣阳住建梯延〔2026〕1号"
    again = api.fire(case_id, "extend_review", "housing", json={"days": 1, "reason": "再次"})
    assert again.status_code == 422


def test_start_construction_refuses_a_bad_credit_code(api, app_journey):
    from ..journey import INSTALLER

    case_id = app_journey.case_in("approved")
    r = api.fire(
        case_id,
        "start_construction",
        "owner",
        json={**INSTALLER, "installer_credit_code": "91420683MA4F0A1B2X"},
    )
    assert r.status_code == 422
    fields = {d["code"] for d in r.get_json()["details"]}
    assert fields == {"installer_credit_code", "document_installation_notice", "supervisors"}
