"""Compensation for the low floors and each household's bill, through /api/v1 (DESIGN §3.3a)."""

from __future__ import annotations

from tests.journey import PAYMENT

from .conftest import application_json, assert_error
from .test_price_and_owners import open_case, sign_path

GROUND_FLOORS = {"101": "6000.00", "201": "6000.00"}


def test_compensation_comes_with_the_application_and_each_signer_sees_its_part(api):
    case = open_case(api, compensations=GROUND_FLOORS)
    assert case["costs"]["compensations"] == {"101": 600_000, "201": 600_000}
    assert api.fire(case["id"], "start_consultation", "owner").status_code == 200
    path, _ = sign_path(api, case["id"], "101")
    ground = api.get(path).get_json()
    assert (ground["compensation_received_fen"], ground["compensation_paid_fen"]) == (600_000, 0)
    path, _ = sign_path(api, case["id"], "601")
    top = api.get(path).get_json()
    # 12,000.00 元 by weights 56 : 64 : 81 : 90 → 601 pays 3,711.34 元 (see test_compensation).
    assert (top["compensation_received_fen"], top["compensation_paid_fen"]) == (0, 371_134)


def test_compensation_can_be_patched_and_a_room_off_the_roster_is_refused(api):
    case = open_case(api)
    r = api.call("PATCH", f"/cases/{case['id']}", "owner", json={"compensations": {"101": 500}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["costs"]["compensations"] == {"101": 50_000}
    r = api.call("PATCH", f"/cases/{case['id']}", "owner", json={"compensations": {"909": "1"}})
    assert_error(r, 400)


def test_the_bill_through_the_link_before_and_after_the_subsidy(api, app_journey):
    case_id = app_journey.case_in("subsidy_approved")
    path, _ = sign_path(api, case_id, "601")
    money = api.get(path + "/money").get_json()
    assert money == {
        "share_fen": 18_123_711,
        "subsidy_fen": 3_092_783,
        "final": True,
        "compensation_paid_fen": 0,
        "compensation_received_fen": 0,
        "net_fen": 15_030_928,
        "provident_fund_max_fen": 15_030_928,
        "provident_fund_deadline": "2027-11-23",
        "certificate": money["certificate"],
        # 12,000.00 元 a year by the same weights, 90 of 291: 371,134.02 fen.
        "running_share_fen": 371_134,
        "running_parts": None,
    }
    assert money["certificate"]["number"].startswith("枣阳住建梯资〔2026〕")
    code = money["certificate"]["verify_url"].rsplit("/", 1)[1]
    found = api.get(f"/verify/{code}").get_json()
    assert found["kind"] == "funding_certificate" and found["replaced_by"] == ""
    assert found["number"] == money["certificate"]["number"]


def test_an_unknown_link_has_no_bill(api):
    assert_error(api.get("/sign/nope/money"), 404)


def test_the_clerk_records_the_payment_and_a_wrong_amount_names_the_difference(api, app_journey):
    case_id = app_journey.case_in("subsidy_approved")
    body = assert_error(
        api.fire(case_id, "record_payment", "clerk", json={**PAYMENT, "amount": "100000.50"}), 422
    )
    assert "多 0.50 元" in body["details"][0]["message"]
    r = api.fire(case_id, "record_payment", "clerk", json=PAYMENT)
    assert r.status_code == 200, r.get_json()
    assert api.case(case_id)["state"] == "subsidy_paid"


def test_application_json_still_opens_without_compensation(api):
    assert open_case(api, **application_json())["costs"]["compensations"] == {}


def test_the_lead_approver_corrects_the_subsidy_through_the_transition(api, app_journey):
    case_id = app_journey.case_in("subsidy_approved")
    path, _ = sign_path(api, case_id, "601")
    old = api.get(path + "/money").get_json()["certificate"]
    assert "correct_subsidy" in {
        a["trigger"] for a in api.case(case_id, "housing")["actions"] if a["allowed"]
    }
    body = assert_error(
        api.fire(case_id, "correct_subsidy", "housing", json={"amount": "100000.00"}), 422
    )
    assert {d["code"] for d in body["details"]} >= {"amount", "reason"}
    assert_error(api.fire(case_id, "correct_subsidy", "clerk", json={}), 403)
    r = api.fire(
        case_id, "correct_subsidy", "housing",
        json={"amount": "90000.00", "reason": "复核发现部分工程量重复计价"},
    )  # fmt: skip
    assert r.status_code == 200, r.get_json()
    case = api.case(case_id)
    assert case["state"] == "subsidy_approved" and case["subsidy"]["amount_fen"] == 9_000_000
    new = api.get(path + "/money").get_json()
    assert new["subsidy_fen"] == 2_783_505 and new["certificate"]["number"] != old["number"]
    found = api.get(f"/verify/{old['verify_url'].rsplit('/', 1)[1]}").get_json()
    assert found["replaced_by"] == new["certificate"]["number"]
    body = assert_error(api.fire(case_id, "record_payment", "clerk", json=PAYMENT), 422)
    assert "多 10,000.00 元" in body["details"][0]["message"]
