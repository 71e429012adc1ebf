"""`PUT /api/v1/cases/{id}/handler` and `GET /api/v1/cases?handler=`: a clerk takes a case, the
queue lists it as theirs, and letting go puts it back among the unassigned."""

from __future__ import annotations


def test_a_clerk_takes_a_case_and_lets_it_go_through_the_api(api, app_journey):
    case_id = app_journey.case_in("submitted")
    assert api.get("/cases?handler=none", "clerk").get_json()["total"] == 1
    r = api.put(f"/cases/{case_id}/handler", "clerk", json={"username": "clerk"})
    assert r.status_code == 200 and r.get_json()["id"] == case_id
    listed = api.get("/cases?handler=me", "clerk").get_json()
    assert [c["id"] for c in listed["items"]] == [case_id]
    assert listed["items"][0]["handlers"] == [
        {"desk": "window", "username": "clerk", "name": "王窗口"}
    ]
    assert api.get("/cases?handler=clerk", "housing").get_json()["total"] == 1
    assert api.put(f"/cases/{case_id}/handler", "clerk", json={"username": None}).status_code == 200
    assert api.get("/cases?handler=me", "clerk").get_json()["total"] == 0


def test_only_the_desk_lead_assigns_someone_else(api, app_journey):
    case_id = app_journey.case_in("review")
    r = api.put(f"/cases/{case_id}/handler", "planning", json={"username": "market"})
    assert r.status_code == 403
    r = api.put(f"/cases/{case_id}/handler", "clerk", json={"username": "clerk"})
    assert r.status_code == 409  # the case waits on the departments, not the window
    assert api.put(f"/cases/{case_id}/handler", "clerk", json={}).status_code == 400


def test_the_list_filters_by_street_and_deadline_as_the_queues_do(api, app_journey):
    south = app_journey.case_in("submitted", street="南城街道")
    app_journey.case_in("submitted", street="北城街道")
    listed = api.get("/cases?tag=window&street=南城街道", "clerk").get_json()
    assert [c["id"] for c in listed["items"]] == [south]
    # Submitted today: two working days to accept them, so due soon and not overdue.
    assert api.get("/cases?tag=window&due=soon", "clerk").get_json()["total"] == 2
    assert api.get("/cases?tag=window&due=overdue", "clerk").get_json()["total"] == 0
    assert api.get("/cases?due=later", "clerk").status_code == 400
