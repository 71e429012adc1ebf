"""GET /api/v1/installers, PUT and DELETE /api/v1/installers/{credit_code}/bar."""

from __future__ import annotations

from ..journey import INSTALLER
from .conftest import assert_error

CODE = INSTALLER["installer_credit_code"]
BAR = {"reason": "拒不整改", "document_number": "枣阳住建〔2026〕12号", "until": "2027-06-30"}


def test_anyone_reads_the_record(api, app_journey):
    app_journey.case_in("completed")
    r = api.get("/installers?sort=completed")
    assert r.status_code == 200
    [item] = r.get_json()["items"]
    assert item["credit_code"] == CODE and item["completed"] == 1
    assert item["problems_reported"] == 0 and item["bar"] is None


def test_the_admin_bars_and_lifts(api, app_journey):
    app_journey.case_in("completed")
    r = api.put(f"/installers/{CODE}/bar", "admin", json=BAR)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["bar"]["document_number"] == BAR["document_number"]
    assert api.get("/installers").get_json()["items"][0]["bar"]["until"] == "2027-06-30"
    r = api.delete(f"/installers/{CODE}/bar", "admin")
    assert r.status_code == 200 and r.get_json()["bar"] is None
    assert_error(api.delete(f"/installers/{CODE}/bar", "admin"), 404)


def test_only_the_admin_bars_and_bad_input_is_refused(api):
    assert_error(api.put(f"/installers/{CODE}/bar", "clerk", json=BAR), 403)
    assert_error(api.put(f"/installers/{CODE}/bar", "admin", json={"reason": "x"}), 400)
    assert_error(api.put("/installers/91420683MA4F0A1B2X/bar", "admin", json=BAR), 400)


def test_a_barred_installer_is_refused_at_start_construction_with_the_document_number(
    api, app_journey
):
    api.put(f"/installers/{CODE}/bar", "admin", json=BAR)
    case_id = app_journey.case_in("approved")
    body = assert_error(api.fire(case_id, "start_construction", "owner", json=INSTALLER), 422)
    messages = {d["code"]: d["message"] for d in body["details"]}
    assert "枣阳住建〔2026〕12号" in messages["installer_barred"]
