"""Staff views of unmasked personal data are logged — who, when, which case, why — the reason
asked once per case per session; the admin reads the log and each person sees which desks
viewed their data."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from workflow import services
from workflow.data.models import Event

from ..api.conftest import Api
from ..conftest import login
from ..journey import INSTALLER, ROSTER, application, pdf_bytes


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


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def case_with_a_photo(journey):
    """Under construction; the neighbour's flat (401) reported a problem with one photo."""
    rt, p = journey.rt, journey.p
    roster = [dict(h) for h in ROSTER]
    roster[3].update(owner_name="张建国", phone="13800000002")
    case_id = journey.new_case(households=roster)
    for state in ("consultation", "publicity", "submitted", "review", "approved"):
        journey.step(case_id, state)
    services.upload_document(rt, p.owner.id, case_id, "installation_notice", pdf_bytes())
    journey.representatives_accept(case_id)
    services.fire(rt, p.owner.id, case_id, "start_construction", INSTALLER)
    problem = services.report_problem(
        rt, journey.tokens(case_id)["401"], "楼道墙面开裂", [photo_bytes()]
    )
    return case_id, problem


def fields_logged(rt):
    with rt.db.session() as s:
        rows = s.scalars(select(Event).where(Event.kind == "personal_data_viewed"))
        return [(e.actor_name, e.payload["fields"], e.payload["reason"]) for e in rows]


def test_a_staff_view_of_a_problem_photo_needs_a_reason_and_is_logged(
    client, app_people, app_journey
):
    rt = app_journey.rt
    case_id, problem = case_with_a_photo(app_journey)
    login(client, app_people.clerk.username)
    url = f"/staff/cases/{case_id}/problems/{problem}/photos/1"
    page = client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert url not in page and "照片 1 张" in page  # no picture before a reason
    r = client.get(url)
    assert r.status_code == 302 and "ask=photos" in r.headers["Location"]
    assert "显示照片" in client.get(f"/staff/cases/{case_id}?ask=photos").get_data(as_text=True)
    client.post(f"/staff/cases/{case_id}/reveal?then=photos", data={"photos-reason": ""})
    assert fields_logged(rt) == []
    r = client.post(
        f"/staff/cases/{case_id}/reveal?then=photos", data={"photos-reason": "核实墙面开裂"}
    )
    assert r.headers["Location"].endswith("#residents")
    assert url in client.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    shown = client.get(url)
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert fields_logged(rt) == [("王窗口", ["problem_photo"], "核实墙面开裂")]


def test_one_reason_a_case_a_session_covers_phones_and_photos(client, app_people, app_journey):
    case_id, problem = case_with_a_photo(app_journey)
    login(client, app_people.clerk.username)
    client.post(f"/staff/cases/{case_id}/reveal", data={"reason": "电话联系 401 室"})
    assert client.get(f"/staff/cases/{case_id}/problems/{problem}/photos/1").status_code == 200
    assert [f for _, f, _ in fields_logged(app_journey.rt)] == [["problem_photo"]]


def test_the_api_logs_a_staff_photo_view_but_not_the_applicants(client, app_people, app_journey):
    case_id, problem = case_with_a_photo(app_journey)
    api = Api(client, app_people)
    path = f"/cases/{case_id}/problems/{problem}/photos/1"
    assert api.get(path, "owner").status_code == 200
    assert fields_logged(app_journey.rt) == []
    assert api.get(f"{path}?reason=核实墙面开裂", "clerk").status_code == 200
    assert fields_logged(app_journey.rt) == [("王窗口", ["problem_photo"], "核实墙面开裂")]


def test_the_archive_download_needs_a_reason_and_is_logged(client, app_people, app_journey):
    rt, p = app_journey.rt, app_journey.p
    case_id = neighbour_case(app_journey)
    services.fire(rt, p.owner.id, case_id, "withdraw")
    login(client, app_people.clerk.username)
    url = f"/staff/cases/{case_id}/archive/download"
    r = client.get(url)
    assert r.status_code == 302 and "ask=archive" in r.headers["Location"]
    asked = client.get(f"/staff/cases/{case_id}?ask=archive").get_data(as_text=True)
    assert 'name="archive-reason"' in asked and url not in asked
    client.post(
        f"/staff/cases/{case_id}/reveal?then=archive", data={"archive-reason": "移交城建档案馆"}
    )
    package = client.get(url)
    assert package.mimetype == "application/zip"
    assert fields_logged(rt) == [("王窗口", ["archive_package"], "移交城建档案馆")]


def test_the_admin_and_the_person_see_photo_and_archive_views(client, app_people, app_journey):
    case_id, problem = case_with_a_photo(app_journey)
    api = Api(client, app_people)
    api.get(f"/cases/{case_id}/problems/{problem}/photos/1?reason=核实墙面开裂", "clerk")
    (view,) = api.get("/me/data", "neighbour").get_json()["data_views"]
    assert (view["what"], view["reason"], view["fields"]) == (
        "问题照片",
        "核实墙面开裂",
        ["problem_photo"],
    )
    login(client, app_people.neighbour.username)
    assert "问题照片" in client.get("/me/data").get_data(as_text=True)
    client.post("/auth/logout")
    login(client, app_people.admin.username)
    page = client.get("/admin/access-log").get_data(as_text=True)
    assert "问题照片" in page and "核实墙面开裂" in page
