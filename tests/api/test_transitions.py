"""POST /cases/<id>/transitions/<trigger> and POST /cases/<id>/opinions."""

from __future__ import annotations

from workflow import services

from ..journey import PASSWORD
from .conftest import PREFIX, assert_error


def test_a_trigger_moves_the_case_and_answers_with_it(api, app_journey):
    case_id = app_journey.case_in("submitted")
    r = api.fire(case_id, "accept", "clerk")
    assert r.status_code == 200
    case = r.get_json()
    assert (case["state"], case["state_label"]) == ("review", "联合审查")
    assert r.headers["ETag"] == f'"{case["version"]}"'
    assert case["letters"][-1]["kind"] == "acceptance_notice"


def test_return_minimal_answers_with_the_outcome_only(api, app_journey):
    case_id = app_journey.case_in("submitted")
    r = api.fire(case_id, "accept", "clerk", headers={"Prefer": "return=minimal"})
    assert r.status_code == 200
    assert r.headers["Preference-Applied"] == "return=minimal"
    out = r.get_json()
    assert set(out) == {"id", "reference", "state", "version", "letters"}
    assert (out["id"], out["state"]) == (case_id, "review")
    assert r.headers["ETag"] == f'"{out["version"]}"'
    # The letter it names is the acceptance notice the full description lists.
    case = api.get(f"/cases/{case_id}", "clerk").get_json()
    assert out["letters"] == [x["id"] for x in case["letters"] if x["kind"] == "acceptance_notice"]
    assert out["version"] == case["version"]
    # The version it gives guards the next trigger as the ETag does.
    items = {"items": ["补充楼栋结构安全说明"]}
    stale = {"If-Match": f'"{out["version"] - 1}"'}
    assert_error(
        api.fire(case_id, "return_for_correction", "housing", json=items, headers=stale), 409
    )
    fresh = {"If-Match": r.headers["ETag"], "Prefer": "handling=lenient, return=minimal"}
    r = api.fire(case_id, "return_for_correction", "housing", json=items, headers=fresh)
    assert r.status_code == 200 and r.get_json()["state"] == "correction"


def test_every_failing_guard_is_listed_in_a_422(api, app_journey):
    case_id = app_journey.case_in("review")
    body = assert_error(api.fire(case_id, "approve", "housing"), 422, "guards_failed")
    assert {d["code"] for d in body["details"]} == {
        "opinion_housing",
        "opinion_planning",
        "opinion_market",
    }
    assert all(d["message"] and d["message_en"] for d in body["details"])


def test_missing_inputs_are_guards_too(api, app_journey):
    case_id = app_journey.case_in("approved")
    body = assert_error(api.fire(case_id, "start_construction", "owner", json={}), 422)
    assert {d["code"] for d in body["details"]} == {
        "contractor", "start_date", "installer_name", "installer_credit_code",
        "installer_licence", "document_installation_notice", "planned_completion",
        "supervisors",
    }  # fmt: skip


def test_a_malformed_input_is_400(api, app_journey):
    case_id = app_journey.case_in("approved")
    bad = {"contractor": "安居电梯", "start_date": "next monday"}
    assert_error(api.fire(case_id, "start_construction", "owner", json=bad), 400, "invalid_input")
    assert_error(api.fire(case_id, "start_construction", "owner", json={"contractor": 5}), 400)
    assert_error(api.fire(case_id, "start_construction", "owner", json=["x"]), 400)


def test_a_trigger_not_allowed_in_the_state_is_409(api, app_journey):
    case_id = app_journey.case_in("draft")
    body = assert_error(api.fire(case_id, "submit", "owner"), 409, "conflict")
    assert body["details"][0]["code"] == "state"


def test_a_role_that_may_not_fire_is_403(api, app_journey):
    case_id = app_journey.case_in("submitted")
    assert_error(api.fire(case_id, "accept", "owner"), 403, "forbidden")
    assert_error(api.fire(case_id, "accept", "planning"), 403)
    assert_error(api.fire(case_id, "accept", "admin"), 403)  # an admin fires no case trigger


def test_a_lead_approver_who_owns_a_flat_is_refused_for_separation_of_duties(api, app, app_journey):
    case_id = app_journey.case_in("review")
    app_journey.all_agree(case_id)
    services.create_user(
        app.extensions["jiati"], None, username="housing2", password=PASSWORD, role="approver",
        department="housing", phone="13900000301",
    )  # fmt: skip
    token = api.client.post(
        f"{PREFIX}/token", json={"username": "housing2", "password": PASSWORD}
    ).get_json()["token"]
    r = api.post(
        f"/cases/{case_id}/transitions/approve", headers={"Authorization": f"Bearer {token}"}
    )
    assert assert_error(r, 403)["details"][0]["code"] == "separation_of_duties"


def test_an_unknown_trigger_is_404(api, app_journey):
    case_id = app_journey.case_in("draft")
    assert_error(api.fire(case_id, "teleport", "owner"), 404)


def test_if_match_with_the_current_version_fires(api, app_journey):
    case_id = app_journey.case_in("draft")
    etag = api.get(f"/cases/{case_id}", "owner").headers["ETag"]
    r = api.fire(case_id, "start_consultation", "owner", headers={"If-Match": etag})
    assert r.status_code == 200


def test_if_match_with_a_stale_version_is_409_and_changes_nothing(api, app_journey):
    case_id = app_journey.case_in("draft")
    version = api.case(case_id)["version"]
    r = api.fire(case_id, "start_consultation", "owner", headers={"If-Match": str(version - 1)})
    assert assert_error(r, 409)["details"][0]["code"] == "stale"
    assert api.case(case_id)["state"] == "draft"


def test_two_clients_with_the_same_version_one_wins(api, app_journey):
    case_id = app_journey.case_in("submitted")
    version = str(api.case(case_id, "clerk")["version"])
    first = api.fire(case_id, "accept", "clerk", headers={"If-Match": version})
    second = api.fire(
        case_id,
        "request_correction",
        "clerk",
        json={"items": ["缺图"]},
        headers={"If-Match": version},
    )
    assert first.status_code == 200
    assert_error(second, 409)


def test_a_malformed_if_match_is_400(api, app_journey):
    case_id = app_journey.case_in("draft")
    for value in ("abc", "1.5", "-1", "*"):
        r = api.fire(case_id, "start_consultation", "owner", headers={"If-Match": value})
        assert assert_error(r, 400)["details"][0]["code"] == "if_match"


def test_actions_say_what_this_caller_may_do_and_what_blocks_it(api, app_journey):
    case_id = app_journey.case_in("consultation")
    actions = {a["trigger"]: a for a in api.case(case_id)["actions"]}
    assert set(actions) == {"finish_consultation", "withdraw"}
    assert actions["finish_consultation"]["allowed"] is False
    assert actions["finish_consultation"]["blocked_by"][0]["code"] == "quorum"
    assert api.case(case_id, "clerk")["actions"] == []


def test_correction_items_may_be_lines_or_objects(api, app_journey):
    case_id = app_journey.case_in("submitted")
    items = ["平面图不清晰", {"document": "design_plan", "text": "缺少结构安全评估"}]
    case = api.fire(case_id, "request_correction", "clerk", json={"items": items}).get_json()
    assert [i["text"] for i in case["corrections"][0]["items"]] == [
        "平面图不清晰",
        "缺少结构安全评估",
    ]
    bad = {"items": [{"document": "passport"}]}
    other = app_journey.case_in("submitted")
    assert_error(api.fire(other, "request_correction", "clerk", json=bad), 400)


def test_a_lower_subsidy_needs_a_reason(api, app_journey):
    case_id = app_journey.case_in("subsidy_review")
    r = api.fire(case_id, "approve_subsidy", "housing", json={"amount": "50000"})
    assert assert_error(r, 422)["details"][0]["code"] == "amount"
    r = api.fire(
        case_id, "approve_subsidy", "housing", json={"amount": 50000, "reason": "部分费用不予补贴"}
    )
    assert r.status_code == 200
    assert r.get_json()["subsidy"]["amount_fen"] == 5_000_000


def test_an_approver_gives_the_departments_opinion_once(api, app_journey):
    case_id = app_journey.case_in("review")
    r = api.post(f"/cases/{case_id}/opinions", "planning", json={"verdict": "agree"})
    assert r.status_code == 201
    opinion = r.get_json()["case"]["opinions"][0]
    assert (opinion["department"], opinion["verdict"]) == ("planning", "agree")
    again = api.post(f"/cases/{case_id}/opinions", "planning", json={"verdict": "agree"})
    assert assert_error(again, 409)["details"][0]["code"] == "opinion_given"


def test_opinions_are_for_approvers_in_the_joint_review(api, app_journey):
    case_id = app_journey.case_in("review")
    assert_error(api.post(f"/cases/{case_id}/opinions", "clerk", json={"verdict": "agree"}), 403)
    assert_error(
        api.post(f"/cases/{case_id}/opinions", "market", json={"verdict": "disagree"}), 400
    )  # a disagreement needs its reasons
    assert_error(api.post(f"/cases/{case_id}/opinions", "market", json={"verdict": "meh"}), 400)
    draft = app_journey.case_in("draft")
    assert_error(api.post(f"/cases/{draft}/opinions", "market", json={"verdict": "agree"}), 409)
