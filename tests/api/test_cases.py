"""POST/GET /cases, GET /cases/<id>, GET /cases/<id>/history."""

from __future__ import annotations

from .conftest import application_json, assert_error


def test_a_homeowner_opens_a_case(api):
    r = api.post("/cases", "owner", json=application_json())
    assert r.status_code == 201
    case = r.get_json()
    assert r.headers["Location"].endswith(f"/api/v1/cases/{case['id']}")
    assert r.headers["ETag"] == f'"{case["version"]}"'
    assert case["state"] == "draft"
    assert case["state_label"] == "草拟"
    assert case["reference"].startswith("JT")
    assert [h["area"] for h in case["households"]][:3] == ["70.00", "70.00", "80.00"]
    assert {a["trigger"] for a in case["actions"]} == {"start_consultation", "withdraw"}


def test_areas_may_be_sent_as_numbers(api):
    data = application_json()
    data["households"][0]["area"] = 70.5
    r = api.post("/cases", "owner", json=data)
    assert r.status_code == 201
    assert r.get_json()["households"][0]["area"] == "70.50"


def test_staff_may_not_open_a_case(api):
    assert_error(api.post("/cases", "clerk", json=application_json()), 403, "forbidden")


def test_every_problem_of_an_application_is_listed(api):
    data = application_json(community="", floors=1)
    data["households"][1]["room"] = data["households"][0]["room"]
    body = assert_error(api.post("/cases", "owner", json=data), 400, "invalid_input")
    codes = {d["code"] for d in body["details"]}
    assert {"community", "floors", "households.1.room"} <= codes


def test_wrong_json_types_are_400_not_500(api):
    for bad in (
        [],
        "text",
        {**application_json(), "floors": "six"},
        {**application_json(), "households": "all of them"},
        {**application_json(), "households": [1, 2]},
        {**application_json(), "community": {"name": "x"}},
        {**application_json(), "community": "a\u0000b"},
    ):
        assert_error(api.post("/cases", "owner", json=bad), 400)


def test_a_body_that_is_not_json_is_400(api):
    r = api.post("/cases", "owner", data=b"{not json", content_type="application/json")
    assert assert_error(r, 400)["details"][0]["code"] == "json"


def test_cases_listed_are_those_the_caller_may_see(api, app_journey):
    mine = app_journey.case_in("consultation")
    app_journey.case_in("draft")
    own = api.get("/cases", "owner").get_json()
    assert own["total"] == 2
    assert api.get("/cases", "neighbour").get_json()["total"] == 0
    assert api.get("/cases", "clerk").get_json()["total"] == 2
    only = api.get("/cases?state=consultation", "clerk").get_json()
    assert [c["id"] for c in only["items"]] == [mine]
    assert only["items"][0]["state_label"] == "意见征询"


def test_cases_are_paginated_and_searchable(api, app_journey):
    for _ in range(3):
        app_journey.new_case()
    page = api.get("/cases?per_page=2&page=2", "clerk").get_json()
    assert (page["total"], page["pages"], page["page"], len(page["items"])) == (3, 2, 2, 1)
    assert api.get("/cases?q=翠湖", "clerk").get_json()["total"] == 3
    assert api.get("/cases?q=没有这个小区", "clerk").get_json()["total"] == 0
    assert api.get("/cases?page=99999", "clerk").get_json()["items"] == []


def test_bad_list_parameters_are_400(api):
    for query in ("state=flying", "page=0", "page=-1", "page=abc", "per_page=1000", "page=1e3"):
        assert_error(api.get(f"/cases?{query}", "clerk"), 400, "invalid_input")


def test_someone_elses_case_is_not_found(api, app_journey):
    case_id = app_journey.new_case()
    assert_error(api.get(f"/cases/{case_id}", "neighbour"), 404, "not_found")
    assert_error(api.get(f"/cases/{case_id}/history", "neighbour"), 404)
    assert api.get(f"/cases/{case_id}", "planning").status_code == 200


def test_missing_and_absurd_ids_are_404(api, app_people):
    for path in ("/cases/999", "/cases/99999999999999999999999", "/cases/0", "/cases/-1"):
        assert_error(api.get(path, "clerk"), 404)


def test_quorum_ratios_are_exact_strings(api, app_journey):
    case_id = app_journey.case_in("consultation")
    links = api.get(f"/cases/{case_id}/signing-links", "owner").get_json()["links"]
    for link in links[:4]:  # 4 of 6 owners: exactly two thirds take part (民法典第二百七十八条)
        api.client.post(
            link["sign_path"],
            json={
                "owner_name": link["owner_name"],
                "phone_tail": link["phone"][-4:],
                "choice": "agree",
                "signature": link["owner_name"],
            },
        )
    quorum = api.case(case_id)["quorum"]
    assert quorum["participation_count"] == {"fraction": "2/3", "percent": "66.67%"}
    assert quorum["participation_area"]["fraction"] == "5/8"  # 300 of 480 m²
    assert quorum["thresholds"] == {"participation": "2/3", "agreement": "3/4"}
    assert quorum["met"] is False
    assert quorum["missing"]


def test_history_lists_who_did_what(api, app_journey):
    case_id = app_journey.case_in("consultation")
    events = api.get(f"/cases/{case_id}/history", "owner").get_json()["events"]
    assert [e["kind"] for e in events][:2] == ["case_created", "costs_set"]
    moved = next(e for e in events if e["kind"] == "start_consultation")
    assert (moved["from"], moved["to"], moved["to_label"]) == ("draft", "consultation", "意见征询")


def test_cases_can_be_listed_by_a_group_of_states(api, app_journey):
    waiting = app_journey.case_in("submitted")
    app_journey.case_in("draft")
    window = api.get("/cases?tag=window", "clerk").get_json()
    assert [c["id"] for c in window["items"]] == [waiting]
    assert_error(api.get("/cases?tag=nonsense", "clerk"), 400)


def test_any_position_the_document_allows_is_a_page_perhaps_empty(api, app_journey):
    app_journey.case_in("draft")
    r = api.get("/cases?after=0-0", "clerk")
    assert r.status_code == 200 and r.get_json()["items"]
    r = api.get("/cases?before=9999999999999999-2147483647", "clerk")
    assert r.status_code == 200
    assert_error(api.get("/cases?after=abc", "clerk"), 400)


def test_a_query_argument_the_list_does_not_take_is_refused(api):
    assert_error(api.get("/cases?pgae=2", "clerk"), 400)
