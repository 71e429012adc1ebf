"""The price before the first vote, and owners counted as the law counts them, through /api/v1."""

from __future__ import annotations

from .conftest import application_json, assert_error


def open_case(api, **over) -> dict:
    r = api.post("/cases", "owner", json=application_json(**over))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def sign_path(api, case_id: int, room: str) -> str:
    links = api.get(f"/cases/{case_id}/signing-links", "owner").get_json()["links"]
    link = next(x for x in links if x["room"] == room)
    return link["sign_path"].removeprefix("/api/v1"), link


def sign(api, case_id: int, room: str, choice: str = "agree"):
    path, link = sign_path(api, case_id, room)
    r = api.post(
        path,
        json={
            "owner_name": link["owner_name"],
            "phone_tail": link["phone"][-4:],
            "choice": choice,
            "signature": link["owner_name"],
        },
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_estimate_comes_with_the_building_in_yuan(api):
    case = open_case(api, estimated_cost="480000.00")
    assert case["costs"]["estimated_cost_fen"] == 48_000_000
    # The subsidy the rule expects for six floors stands beside it.
    assert case["costs"]["subsidy_fen"] == 10_000_000


def test_consultation_without_an_estimate_is_refused_naming_it(api):
    case = open_case(api, estimated_cost=None)
    body = assert_error(api.fire(case["id"], "start_consultation", "owner"), 422)
    assert [d["code"] for d in body["details"]] == ["estimated_cost"]
    assert "预计总造价" in body["details"][0]["message"]


def test_the_estimate_can_be_patched_while_the_case_is_a_draft(api):
    case = open_case(api, estimated_cost=None)
    r = api.call("PATCH", f"/cases/{case['id']}", "owner", json={"estimated_cost": "520000.50"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["costs"]["estimated_cost_fen"] == 52_000_050
    assert r.get_json()["households"] == case["households"]
    assert api.fire(case["id"], "start_consultation", "owner").status_code == 200


def test_a_zero_or_garbled_estimate_is_refused(api):
    case = open_case(api)
    for bad in ("0", "-1", "abc"):
        r = api.call("PATCH", f"/cases/{case['id']}", "owner", json={"estimated_cost": bad})
        assert "estimated_cost" in {d["code"] for d in assert_error(r, 400)["details"]}


def test_the_signing_link_shows_the_estimate_the_share_and_the_whole_table(api):
    case = open_case(api, estimated_cost="600000")
    api.fire(case["id"], "start_consultation", "owner")
    path, _ = sign_path(api, case["id"], "601")
    view = api.get(path).get_json()
    assert view["estimated_cost_fen"] == 60_000_000
    shares = {row["room"]: row["share_fen"] for row in view["shares"]}
    assert view["share_fen"] == shares["601"] > 0
    assert sum(shares.values()) == 60_000_000 - view["subsidy_fen"]
    assert shares["101"] == shares["201"] == 0  # floors 1 and 2 pay nothing by default
    assert not any("owner_name" in row for row in view["shares"])


def test_after_a_vote_the_estimate_changes_only_by_restarting_the_consultation(api):
    case = open_case(api)
    case_id = case["id"]
    api.fire(case_id, "start_consultation", "owner")
    sign(api, case_id, "601")
    r = api.call("PATCH", f"/cases/{case_id}", "owner", json={"estimated_cost": "700000"})
    assert_error(r, 409)
    assert api.case(case_id)["costs"]["estimated_cost_fen"] == 60_000_000

    r = api.call(
        "PATCH",
        f"/cases/{case_id}",
        "owner",
        json={
            "estimated_cost": "700000",
            "restart_consultation": True,
            "reason": "电梯厂家报价上调",
        },
    )
    assert r.status_code == 200, r.get_json()
    after = r.get_json()
    assert after["costs"]["estimated_cost_fen"] == 70_000_000
    assert all(h["vote"] is None for h in after["households"])
    path, _ = sign_path(api, case_id, "601")
    assert api.get(path).get_json()["voted"] is None
    assert api.get(path).get_json()["estimated_cost_fen"] == 70_000_000
    events = api.get(f"/cases/{case_id}/history", "owner").get_json()["events"]
    restarted = [e for e in events if e["kind"] == "consultation_restarted"]
    assert restarted[0]["payload"]["reason"] == "电梯厂家报价上调"
    assert restarted[0]["payload"]["votes_cleared"] == [{"room": "601", "choice": "agree"}]


def test_an_objecting_household_pays_nothing_and_the_shares_still_sum(api):
    case = open_case(api, estimated_cost="600000.01")
    case_id = case["id"]
    api.fire(case_id, "start_consultation", "owner")
    for room in ("101", "201", "301", "401", "501"):
        sign(api, case_id, room)
    objector = sign(api, case_id, "601", "object")
    assert objector["share_fen"] == 0
    costs = api.case(case_id)["costs"]
    six01 = next(h["id"] for h in case["households"] if h["room"] == "601")
    assert costs["shares_fen"][str(six01)] == 0
    assert sum(costs["shares_fen"].values()) == costs["owners_pay_fen"] == 50_000_001


def _two_flats_of_one_owner(**owner) -> dict:
    data = application_json()
    for room in ("501", "601"):
        h = next(h for h in data["households"] if h["room"] == room)
        h.update(owner_name="张建华", **owner)
    return data


def test_two_flats_with_one_id_number_are_one_owner(api):
    data = _two_flats_of_one_owner(id_number="420683198001011234", phone=None)
    data["households"][4]["phone"] = "13900000501"
    data["households"][5]["phone"] = "13900000601"
    case = api.post("/cases", "owner", json=data).get_json()
    quorum = case["quorum"]
    assert (quorum["households"], quorum["owners"]) == (6, 5)
    assert quorum["owners_explained"] == "6 户，5 位业主（张某拥有 501、601 两套）"
    assert {h["id_number_masked"] for h in case["households"] if h["id_number_masked"]} == {
        "**************1234"
    }
    assert "420683198001011234" not in str(api.case(case["id"], "clerk"))


def test_quorum_follows_the_law_with_one_owner_of_two_flats(api):
    data = _two_flats_of_one_owner(phone="13900000501")
    case = api.post("/cases", "owner", json=data).get_json()
    case_id = case["id"]
    api.fire(case_id, "start_consultation", "owner")
    # Four flats vote, two of them the same person's: area 2/3, but 3 of 5 owners.
    for room in ("301", "401", "501", "601"):
        sign(api, case_id, room)
    quorum = api.case(case_id)["quorum"]
    assert quorum["participation_area"]["fraction"] == "17/24"
    assert (quorum["owners"], quorum["owners_voted"]) == (5, 3)
    assert quorum["participation_count"]["fraction"] == "3/5"
    assert quorum["met"] is False
    sign(api, case_id, "201")
    quorum = api.case(case_id)["quorum"]
    assert (quorum["owners_voted"], quorum["owners_agreed"]) == (4, 4)
    assert quorum["met"] is True
