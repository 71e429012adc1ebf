"""好差评 and mediation through the API: the stable bodies of issue 28."""

from ..journey import add_mediator
from .conftest import assert_error


def accept_act(api, case_id):
    events = api.get(f"/cases/{case_id}/history", "owner").get_json()["events"]
    return next(e["seq"] for e in events if e["kind"] == "accept")


def test_the_applicant_rates_an_act_named_by_its_history_seq(api, app_journey):
    case_id = app_journey.case_in("review")
    act = accept_act(api, case_id)
    r = api.post(f"/cases/{case_id}/ratings", "owner", json={"act": act, "level": 4})
    assert r.status_code == 201 and isinstance(r.get_json()["id"], int)
    again = api.post(f"/cases/{case_id}/ratings", "owner", json={"act": act, "level": 5})
    assert_error(again, 409)
    body = api.get(f"/cases/{case_id}/ratings", "owner").get_json()
    (rated,) = [a for a in body["acts"] if a["act"] == act]
    assert rated["rating"]["level"] == 4 and rated["rating"]["label"] == "满意"
    assert [x["level"] for x in body["ratings"]] == [4]


def test_a_bad_rating_without_a_comment_is_refused(api, app_journey):
    case_id = app_journey.case_in("review")
    act = accept_act(api, case_id)
    r = api.post(f"/cases/{case_id}/ratings", "owner", json={"act": act, "level": 1})
    assert assert_error(r, 400)["details"][0]["code"] == "comment"
    r = api.post(
        f"/cases/{case_id}/ratings", "owner", json={"act": act, "level": 1, "comment": "慢"}
    )
    assert r.status_code == 201


def test_staff_do_not_rate(api, app_journey):
    case_id = app_journey.case_in("review")
    r = api.post(
        f"/cases/{case_id}/ratings", "clerk", json={"act": accept_act(api, case_id), "level": 5}
    )
    assert_error(r, 403)


def test_an_objection_goes_through_mediation_to_its_record(api, app, app_journey, app_people):
    case_id, oid, token = app_journey.objection_in_publicity()
    add_mediator(app.extensions["jiati"], app_people)
    r = api.post(f"/cases/{case_id}/objections/{oid}/mediation", "clerk")
    assert r.status_code == 201
    mid = r.get_json()["id"]
    assert r.get_json()["case"]["id"] == case_id
    session = {
        "held_on": "2026-11-23",
        "place": "社区调解室",
        "attendees": ["101室业主"],
        "notes": "协商",
    }
    assert_error(api.post(f"/mediations/{mid}/sessions", "clerk", json=session), 403)
    r = api.post(f"/mediations/{mid}/sessions", "mediator", json=session)
    assert r.status_code == 201
    assert_error(api.post(f"/mediations/{mid}/outcome", "mediator", json={"agreed": True}), 409)
    assert api.post(f"/sign/{token}/objections/{oid}/withdraw").status_code == 204
    assert_error(api.post(f"/sign/{token}/objections/{oid}/withdraw"), 409)
    r = api.post(f"/mediations/{mid}/outcome", "mediator", json={"agreed": True})
    assert r.status_code == 201
    (o,) = api.case(case_id)["objections"]
    assert o["settled_by"] == "withdrawal" and o["mediation"]["document_id"] == r.get_json()["id"]


def test_mediation_of_an_unknown_objection_or_mediation_is_not_found(
    api, app, app_journey, app_people
):
    case_id, oid, _ = app_journey.objection_in_publicity()
    add_mediator(app.extensions["jiati"], app_people)
    assert_error(api.post(f"/cases/{case_id}/objections/{oid + 9}/mediation", "owner"), 404)
    assert_error(
        api.post("/mediations/77/outcome", "mediator", json={"agreed": False, "opinion": "x"}), 404
    )
