"""Owners' phone numbers: in full for the applicant who entered them, masked for everyone else,
in full for a clerk who asks, and the audit log says which clerk asked. On both databases."""

from __future__ import annotations

from workflow.data.models import Event

from ..conftest import login


def _phones(case: dict) -> list[str]:
    return [h["phone"] for h in case["households"] if h["phone"]]


def test_the_applicant_sees_the_numbers_they_entered(api, app_journey):
    case = api.case(app_journey.case_in("review"), "owner")
    assert _phones(case) and all("*" not in p for p in _phones(case))


def test_approvers_and_clerks_see_masked_numbers_by_default(api, app_journey):
    case_id = app_journey.case_in("review")
    for who in ("housing", "clerk", "admin"):
        case = api.case(case_id, who)
        assert all(p[3:7] == "****" for p in _phones(case)), who
        assert "****" in (case["applicant"]["phone"] or "****")


def test_a_clerk_who_asks_sees_them_and_is_recorded(app, api, app_journey, app_people):
    case_id = app_journey.case_in("review")
    r = api.get(f"/cases/{case_id}?reveal=phones", "clerk")
    assert all("*" not in p for p in _phones(r.get_json()))
    with app.extensions["jiati"].db.session() as s:
        viewed = s.query(Event).filter_by(kind="personal_data_viewed", case_id=case_id).all()
    assert [(e.actor_id, e.actor_role) for e in viewed] == [(app_people.clerk.id, "clerk")]


def test_an_approver_asking_still_sees_masked_numbers_and_nothing_is_recorded(
    app, api, app_journey
):
    case_id = app_journey.case_in("review")
    case = api.get(f"/cases/{case_id}?reveal=phones", "housing").get_json()
    assert all("****" in p for p in _phones(case))
    with app.extensions["jiati"].db.session() as s:
        assert s.query(Event).filter_by(kind="personal_data_viewed").count() == 0


def test_the_clerk_page_reveals_on_request_only(client, app_people, app_journey):
    case_id = app_journey.case_in("review")
    login(client, app_people.clerk.username)
    masked = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "****" in masked and 'href="tel:' not in masked
    asked = client.get(f"/staff/cases/{case_id}?reveal=phones").get_data(as_text=True)
    assert 'href="tel:' not in asked and "查看完整信息的事由" in asked
    client.post(f"/staff/cases/{case_id}/reveal", data={"reason": "电话联系业主"})
    shown = client.get(f"/staff/cases/{case_id}?reveal=phones").get_data(as_text=True)
    assert 'href="tel:' in shown
