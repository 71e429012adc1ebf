"""Signing links, online signatures, paper votes, objections and their resolution."""

from __future__ import annotations

from workflow import services

from ..journey import PASSWORD
from .conftest import PREFIX, assert_error


def links_of(api, case_id, who="owner"):
    r = api.get(f"/cases/{case_id}/signing-links", who)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["links"]


def signature(link, **over):
    return {
        "owner_name": link["owner_name"],
        "phone_tail": link["phone"][-4:],
        "choice": "agree",
        "signature": link["owner_name"],
        **over,
    }


def test_the_applicant_and_clerks_get_one_link_per_household(api, app_journey):
    case_id = app_journey.case_in("consultation")
    links = links_of(api, case_id)
    assert [link["room"] for link in links] == ["101", "201", "301", "401", "501", "601"]
    assert all(link["sign_path"] == f"{PREFIX}/sign/{link['token']}" for link in links)
    assert links_of(api, case_id, "clerk") == links


def test_approvers_do_not_get_signing_links(api, app_journey):
    case_id = app_journey.case_in("consultation")
    assert_error(api.get(f"/cases/{case_id}/signing-links", "planning"), 403, "forbidden")
    assert_error(api.get(f"/cases/{case_id}/signing-links", "neighbour"), 404)


def test_an_owner_signs_without_an_account(api, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(api, case_id)[2]
    shown = api.get(link["sign_path"].removeprefix(PREFIX)).get_json()
    assert shown["owner_masked"] == "李**" and shown["voting_open"] and shown["voted"] is None
    r = api.post(link["sign_path"].removeprefix(PREFIX), json=signature(link, choice="object"))
    assert r.status_code == 200
    assert r.get_json()["voted"] == "object"
    vote = api.case(case_id)["households"][2]["vote"]
    assert (vote["choice"], vote["channel"]) == ("object", "online")


def test_signing_twice_is_a_conflict(api, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(api, case_id)[0]
    path = link["sign_path"].removeprefix(PREFIX)
    assert api.post(path, json=signature(link)).status_code == 200
    assert_error(api.post(path, json=signature(link)), 409, "conflict")


def test_a_wrong_signature_lists_every_mismatch(api, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(api, case_id)[0]
    bad = signature(link, owner_name="王五", phone_tail="0000", signature="王五")
    body = assert_error(api.post(link["sign_path"].removeprefix(PREFIX), json=bad), 400)
    assert {d["code"] for d in body["details"]} == {"owner_name", "phone_tail", "signature"}


def test_a_sign_request_of_the_wrong_shape_is_400(api, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(api, case_id)[0]
    path = link["sign_path"].removeprefix(PREFIX)
    assert_error(api.post(path, json=signature(link, choice="maybe")), 400)
    assert_error(api.post(path, json=signature(link, owner_name=7)), 400)
    assert_error(api.post(path, json={"choice": "agree"}), 400)


def test_an_unknown_link_is_404(api):
    assert_error(api.post("/sign/nope", json={}), 400)  # the body is checked first
    body = {"owner_name": "a", "phone_tail": "1234", "choice": "agree", "signature": "a"}
    assert_error(api.post("/sign/nope", json=body), 404, "not_found")
    assert_error(api.get("/sign/" + "x" * 100), 404)


def test_signing_after_the_consultation_is_a_conflict(api, app_journey):
    case_id = app_journey.case_in("consultation")
    link = links_of(api, case_id)[0]
    app_journey.sign_all(case_id)
    services.fire(app_journey.rt, app_journey.p.owner.id, case_id, "finish_consultation")
    # the household has signed already; a fresh token would be refused as closed, either way 409
    assert_error(api.post(link["sign_path"].removeprefix(PREFIX), json=signature(link)), 409)


def test_a_clerk_records_a_paper_vote(api, app_journey):
    case_id = app_journey.case_in("consultation")
    r = api.post(
        f"/cases/{case_id}/votes",
        "clerk",
        json={"room": "501", "choice": "agree", "signature": "吴淑珍"},
    )
    assert r.status_code == 201
    body = r.get_json()
    assert isinstance(body["id"], int)
    assert body["case"]["households"][4]["vote"]["channel"] == "paper"


def test_only_clerks_record_paper_votes(api, app_journey):
    case_id = app_journey.case_in("consultation")
    vote = {"room": "501", "choice": "agree", "signature": "吴淑珍"}
    assert_error(api.post(f"/cases/{case_id}/votes", "owner", json=vote), 403)
    assert_error(api.post(f"/cases/{case_id}/votes", "housing", json=vote), 403)


def test_a_paper_vote_for_an_unknown_room_is_400(api, app_journey):
    case_id = app_journey.case_in("consultation")
    vote = {"room": "999", "choice": "agree", "signature": "某某"}
    assert_error(api.post(f"/cases/{case_id}/votes", "clerk", json=vote), 400, "invalid_input")


def test_no_paper_vote_outside_the_consultation(api, app_journey):
    case_id = app_journey.case_in("draft")
    vote = {"room": "501", "choice": "agree", "signature": "吴淑珍"}
    assert_error(api.post(f"/cases/{case_id}/votes", "clerk", json=vote), 409, "conflict")


def test_a_clerk_who_owns_a_flat_may_not_record_its_votes(api, app, app_journey):
    case_id = app_journey.case_in("consultation")
    services.create_user(
        app.extensions["jiati"], None, username="clerk2", password=PASSWORD, role="clerk",
        phone="13900000101",
    )  # fmt: skip
    token = api.client.post(
        f"{PREFIX}/token", json={"username": "clerk2", "password": PASSWORD}
    ).get_json()["token"]
    r = api.post(
        f"/cases/{case_id}/votes",
        headers={"Authorization": f"Bearer {token}"},
        json={"room": "101", "choice": "agree", "signature": "陈桂兰"},
    )
    assert assert_error(r, 403)["details"][0]["code"] == "separation_of_duties"


def test_an_objection_is_lodged_and_referred_to_mediation(api, app_journey):
    case_id = app_journey.case_in("publicity")
    r = api.post(f"/cases/{case_id}/objections", "owner", json={"room": "201", "text": "噪音"})
    assert r.status_code == 201
    oid = r.get_json()["id"]
    blocked = {a["trigger"]: a for a in r.get_json()["case"]["actions"]}["submit"]
    assert "objection" in {m["code"] for m in blocked["blocked_by"]}
    r = api.post(f"/cases/{case_id}/objections/{oid}/mediation", "clerk")
    assert r.status_code == 201
    objection = r.get_json()["case"]["objections"][0]
    assert objection["mediation"] == {
        "id": r.get_json()["id"],
        "state": "open",
        "document_id": None,
    }
    assert objection["resolution"] is None


def test_the_clerks_free_text_resolution_is_gone(api, app_journey):
    case_id = app_journey.case_in("publicity")
    oid = api.post(f"/cases/{case_id}/objections", "clerk", json={"text": "反对"}).get_json()["id"]
    path = f"/cases/{case_id}/objections/{oid}/resolution"
    assert api.post(path, "clerk", json={"resolution": "已调解"}).status_code in (404, 405)


def test_objections_are_not_taken_after_submission(api, app_journey):
    case_id = app_journey.case_in("submitted")
    assert_error(api.post(f"/cases/{case_id}/objections", "owner", json={"text": "晚了"}), 409)


def test_a_neighbour_may_not_lodge_on_someone_elses_case(api, app_journey):
    case_id = app_journey.case_in("publicity")
    assert_error(api.post(f"/cases/{case_id}/objections", "neighbour", json={"text": "x"}), 404)
