"""The public's pages: progress by reference and phone tail (/track), and the register of the
city's elevator projects (/projects, /projects.csv). No names, no phones."""

from __future__ import annotations

import pytest

from workflow import services
from workflow.read import cases as queries
from workflow.read import projects

from ..conftest import make_app
from ..journey import PAYMENT, Journey, make_people


def reference_of(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)["reference"]


def test_track_shows_state_steps_deadline_and_what_is_awaited(client, app, app_journey, app_people):
    case_id = app_journey.case_in("review")
    ref = reference_of(app, app_people, case_id)
    r = client.get(f"/track?reference={ref}&phone_tail=0001")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "联合审查" in page and "2026-12-07" in page
    assert "等待住建、自然资源和规划、市场监管部门出具审查意见" in page
    assert "受理" in page and "2026-11-23" in page
    for private in ("李秀英", "陈桂兰", "建设路", "13800000001"):
        assert private not in page


def test_wrong_phone_tail_finds_nothing_and_says_so(client, app, app_journey, app_people):
    case_id = app_journey.case_in("submitted")
    ref = reference_of(app, app_people, case_id)
    r = client.get(f"/track?reference={ref}&phone_tail=9999")
    assert r.status_code == 404
    assert "未查到该办件" in r.get_data(as_text=True)


def test_the_empty_form_asks_for_both(client):
    r = client.get("/track")
    assert r.status_code == 200 and "申请人手机号后四位" in r.get_data(as_text=True)


def test_lookups_are_throttled_per_client(tmp_path, clock):
    app = make_app(tmp_path, clock, TRACK_LOOKUPS=3)
    client = app.test_client()
    codes = [client.get("/track?reference=JT2026&phone_tail=0000").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    other = client.get(
        "/track?reference=JT2026&phone_tail=0000", environ_base={"REMOTE_ADDR": "10.0.0.9"}
    )
    assert other.status_code == 404
    assert client.get("/api/v1/track?reference=JT2026&phone_tail=0000").status_code == 429
    app.extensions["jiati"].db.dispose()


def test_signing_page_links_to_progress(client, app, app_journey, app_people):
    from workflow import services

    case_id = app_journey.case_in("consultation")
    token = services.signing_links(app.extensions["jiati"], app_people.owner.id, case_id)[0][
        "token"
    ]
    page = client.get(f"/sign/{token}").get_data(as_text=True)
    assert "/track" in page


def test_register_lists_approved_projects_by_street_without_personal_data(
    client, app, app_journey, app_people
):
    app_journey.case_in("subsidy_approved", street="南城街道", community="翠湖花园")
    app_journey.case_in("approved", street="北城街道", community="东湖小区", building="5号楼")
    app_journey.case_in("review", street="环城街道", community="光明里")  # not decided: not public
    page = client.get("/projects").get_data(as_text=True)
    assert "翠湖花园" in page and "东湖小区" in page and "光明里" not in page
    assert "补贴已核准" in page and "100,000.00" in page
    for private in ("李秀英", "陈桂兰", "13800000001", "JT2026"):
        assert private not in page
    only_south = client.get("/projects?street=南城街道").get_data(as_text=True)
    assert "翠湖花园" in only_south and "东湖小区" not in only_south
    assert "<svg" in only_south and 'id="summary-table"' in only_south
    assert "没有符合条件的项目" in client.get("/projects?year=2025").get_data(as_text=True)


def test_register_exports_csv(client, app_journey):
    app_journey.case_in("subsidy_approved", street="南城街道")
    r = client.get("/projects.csv?street=南城街道")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert text.startswith(
        "\ufeff街道,小区,地址（楼栋单元）,电梯数,办理状态,批准日期,补贴金额（元）"
    )
    assert (
        "南城街道,翠湖花园,枣阳市南城街道光武大道 18 号 3号楼2单元,1,补贴已核准,2026-11-23,100000.00"
        in text
    )


@pytest.mark.postgres
def test_register_and_track_on_postgresql(pg_url, tmp_path, clock):
    """The year filter uses the database's date functions: check them on PostgreSQL too."""
    from workflow.read import projects, tracking

    from ..conftest import make_runtime

    rt = make_runtime(pg_url, tmp_path, clock)
    try:
        people = make_people(rt)
        j = Journey(rt, people)
        case_id = j.case_in("approved", street="南城街道")
        assert [r["community"] for r in projects.projects(rt, year=2026)["rows"]] == ["翠湖花园"]
        assert projects.projects(rt, year=2025)["rows"] == []
        ref = queries.describe_case(rt, people.owner.id, case_id)["reference"]
        assert tracking.track(rt, ref, "0001")["state"] == "approved"
    finally:
        rt.db.dispose()


def test_register_shows_the_working_days_from_approval_to_payment(
    client, app, app_journey, app_people, clock
):
    rt = app.extensions["jiati"]
    cases = [app_journey.case_in("subsidy_approved", building=f"{n}号楼") for n in (1, 2, 3)]
    app_journey.case_in("subsidy_approved", building="4号楼")  # approved, not yet paid
    clock.advance(days=11)  # Friday 2026-12-04; the subsidies were approved Monday 2026-11-23
    # Paid 1, 2 and 9 working days after approval: the median is 2, the average would be 4.
    for case_id, paid_on in zip(cases, ("2026-11-24", "2026-11-25", "2026-12-04"), strict=True):
        services.fire(rt, app_people.clerk.id, case_id, "record_payment",
                      {**PAYMENT, "paid_on": paid_on})  # fmt: skip
    (year,) = projects.projects(rt)["summary"]
    assert (year["subsidy_paid"], year["payment_workdays"]) == (3, 2.0)
    assert projects.projects(rt, street="没有的街道")["summary"] == []
    page = client.get("/projects").get_data(as_text=True)
    assert "核准至拨付（工作日，中位数）" in page and '<td class="payment-days">2.0</td>' in page
