"""Staff views of unmasked personal data are logged — who, when, which case, why — the reason
asked once per case per session; the admin reads the log and each person sees which desks
viewed their data."""

from __future__ import annotations

from sqlalchemy import select

from workflow import services
from workflow.data.models import Event

from ..api.conftest import Api
from ..conftest import login
from ..journey import ROSTER, application


def views(rt):
    with rt.db.session() as s:
        rows = s.scalars(select(Event).where(Event.kind == "personal_data_viewed"))
        return [(e.actor_name, e.case_id, e.payload.get("reason")) for e in rows]


def neighbour_case(journey):
    roster = [dict(h) for h in ROSTER]
    roster[3].update(owner_name="张建国", phone="13800000002")
    rt, p = journey.rt, journey.p
    case_id = services.create_case(rt, p.owner.id, application(households=roster))
    services.set_costs(rt, p.owner.id, case_id, "600000")
    journey.step(case_id, "consultation")
    return case_id


def test_a_clerk_gives_a_reason_once_per_case_and_each_view_is_logged(
    client, app_people, app_journey
):
    rt = app_journey.rt
    case_id = neighbour_case(app_journey)
    login(client, app_people.clerk.username)
    asked = client.get(f"/staff/cases/{case_id}?reveal=phones").get_data(as_text=True)
    assert "13900000101" not in asked and views(rt) == []
    r = client.post(f"/staff/cases/{case_id}/reveal", data={"reason": ""})
    assert views(rt) == []  # no reason, no numbers
    client.post(f"/staff/cases/{case_id}/reveal", data={"reason": "电话联系 401 室补签"})
    assert "13900000101" in client.get(f"/staff/cases/{case_id}?reveal=phones").get_data(
        as_text=True
    )
    again = client.get(f"/staff/cases/{case_id}?reveal=phones").get_data(as_text=True)
    assert "13900000101" in again and "查看完整信息的事由" not in again
    assert views(rt) == [("王窗口", case_id, "电话联系 401 室补签")] * 2
    assert r.status_code == 303


def test_the_admin_reads_the_log(client, app_people, app_journey):
    case_id = neighbour_case(app_journey)
    Api(client, app_people).get(f"/cases/{case_id}?reveal=phones&reason=核对纸质表决", "clerk")
    login(client, app_people.admin.username)
    page = client.get("/admin/access-log").get_data(as_text=True)
    assert "王窗口" in page and "核对纸质表决" in page and "窗口受理" in page


def test_the_person_sees_which_desk_viewed_their_data(client, app_people, app_journey):
    case_id = neighbour_case(app_journey)
    api = Api(client, app_people)
    api.get(f"/cases/{case_id}?reveal=phones&reason=核对纸质表决", "clerk")
    (view,) = api.get("/me/data", "neighbour").get_json()["data_views"]
    assert (view["desk"], view["reason"]) == ("窗口受理", "核对纸质表决")
    # The applicant's own cases where the person is no household: nothing of theirs was shown.
    assert api.get("/me/data", "owner").get_json()["data_views"] == []


def test_only_admins_read_the_log(client, app_people):
    login(client, app_people.clerk.username)
    assert client.get("/admin/access-log").status_code == 403
