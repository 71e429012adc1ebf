"""The admin area: accounts, settings, holidays, statistics; admins only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import login
from workflow import services
from workflow.data.models import User
from workflow.read import registers


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/users",
        "/admin/settings",
        "/admin/holidays",
        "/admin/statistics",
        "/admin/statistics.csv",
    ],
)
@pytest.mark.parametrize("who", ["clerk", "housing", "owner"])
def test_admin_pages_refuse_other_roles(client, app_people, path, who):
    login(client, getattr(app_people, who).username)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/users", "/admin/settings", "/admin/holidays", "/admin/statistics"]
)
def test_admin_pages_render(as_admin, path):
    assert as_admin.get(path).status_code == 200


def test_admin_creates_an_approver(as_admin, app):
    r = as_admin.post(
        "/admin/users",
        data={
            "username": "planning2",
            "name": "孙规划",
            "role": "approver",
            "department": "planning",
            "password": "longpassword",
        },
    )
    assert r.status_code == 303
    acc = services.authenticate(app.extensions["jiati"], "planning2", "longpassword")
    assert acc.role == "approver" and acc.department == "planning"


def test_approver_without_department_is_refused(as_admin, app):
    r = as_admin.post(
        "/admin/users",
        data={"username": "x1", "role": "approver", "department": "", "password": "longpassword"},
    )
    assert r.status_code == 400
    assert "审批人员须属于一个部门" in r.get_data(as_text=True)
    assert services.authenticate(app.extensions["jiati"], "x1", "longpassword") is None


def test_admin_disables_and_resets_password(as_admin, app, app_people):
    uid = app_people.clerk.id
    r = as_admin.post(
        f"/admin/users/{uid}",
        data={
            f"u{uid}-role": "clerk",
            f"u{uid}-department": "",
            f"u{uid}-password": "brand-new-pass",
        },
    )
    assert r.status_code == 303
    rt = app.extensions["jiati"]
    assert services.authenticate(rt, "clerk", "brand-new-pass") is None  # disabled (box unticked)
    as_admin.post(
        f"/admin/users/{uid}",
        data={f"u{uid}-role": "clerk", f"u{uid}-department": "", f"u{uid}-active": "y"},
    )
    assert services.authenticate(rt, "clerk", "brand-new-pass").role == "clerk"


def test_admin_may_not_disable_themselves(as_admin, app, app_people):
    uid = app_people.admin.id
    r = as_admin.post(
        f"/admin/users/{uid}",
        data={f"u{uid}-role": "admin", f"u{uid}-department": ""},
        follow_redirects=True,
    )
    assert "不能停用或降级自己的账户" in r.get_data(as_text=True)


def _settings_form(**over):
    data = {
        "publicity_days": "10",
        "acceptance_workdays": "2",
        "review_workdays": "10",
        "participation": "2/3",
        "agreement": "3/4",
        "subsidy_tiers": "6 100000\n5 90000\n0 80000",
        "required_departments": "housing,planning,market",
        "lead_department": "housing",
        "upload_max_mb": "20",
        "authority_name": "枣阳市住房和城乡建设局",
        "letter_prefixes": "approval_decision=枣阳住建梯准",
        "city_name": "枣阳市",
        "reconsideration_body": "枣阳市人民政府",
        "court": "枣阳市人民法院",
        "department_names": "planning=枣阳市自然资源和规划局",
        "public_base_url": "https://jiati.example.gov.cn",
    }
    data.update(over)
    return data


def test_admin_changes_settings(as_admin, app):
    r = as_admin.post(
        "/admin/settings",
        data=_settings_form(review_workdays="8", subsidy_tiers="6 120000\n0 80000"),
    )
    assert r.status_code == 303
    s = services.effective_settings(app.extensions["jiati"])
    assert s.review_workdays == 8
    assert s.subsidy_tiers == ((6, 120000), (0, 80000))


def test_invalid_setting_is_refused(as_admin, app):
    r = as_admin.post("/admin/settings", data=_settings_form(participation="3/2"))
    assert r.status_code == 400
    assert services.effective_settings(app.extensions["jiati"]).participation.denominator == 3


def test_admin_enters_and_removes_a_holiday(as_admin, app):
    rt = app.extensions["jiati"]
    r = as_admin.post("/admin/holidays", data={"day": "2027-02-08", "name": "春节"})
    assert r.status_code == 303
    assert [(h["day"], h["workday"]) for h in registers.holiday_rows(rt)] == [
        (date(2027, 2, 8), False)
    ]
    assert "2027-02-08" in as_admin.get("/admin/holidays").get_data(as_text=True)
    as_admin.post("/admin/holidays/2027-02-08/remove")
    assert registers.holiday_rows(rt) == []


def test_statistics_count_cases_and_subsidy(as_admin, app_journey):
    app_journey.case_in("subsidy_approved")
    app_journey.case_in("submitted", community="幸福里")
    body = as_admin.get("/admin/statistics").get_data(as_text=True)
    assert "<svg" in body and "<rect" in body
    assert "100,000.00" in body
    csv = as_admin.get("/admin/statistics.csv").get_data(as_text=True)
    assert "cases_by_state,submitted,待受理,1" in csv
    assert "cases_by_state,subsidy_approved,补贴已核准,1" in csv
    assert "per_month,2026-11,applications,2" in csv
    assert "per_month,2026-11,approved,1" in csv
    assert "subsidy,翠湖花园,yuan,100000.00,1" in csv


def test_statistics_count_overdue(as_admin, app_journey, clock):
    app_journey.case_in("submitted")
    clock.advance(days=10)
    csv = as_admin.get("/admin/statistics.csv").get_data(as_text=True)
    assert "overdue,count,,1" in csv


def test_statistics_chart_is_svg(as_admin, app_journey):
    app_journey.case_in("approved")
    r = as_admin.get("/admin/statistics.svg")
    assert r.mimetype == "image/svg+xml" and b"<rect" in r.data


def test_statistics_average_working_days_per_phase(as_admin, app, app_journey, clock):
    case_id = app_journey.case_in("submitted")  # Monday 2026-11-23
    clock.advance(days=3)  # Thursday: three working days later
    services.fire(app.extensions["jiati"], app_journey.p.clerk.id, case_id, "accept")
    csv = as_admin.get("/admin/statistics.csv").get_data(as_text=True)
    assert "phase_workdays,submitted,待受理,3.0,1" in csv
    assert "phase_workdays,review,联合审查,,0" in csv


def test_admin_pages_warn_while_the_public_address_is_local(as_admin, app):
    warning = "对外访问地址仍是本机地址（http://127.0.0.1:5000）"
    assert warning in as_admin.get("/admin/").get_data(as_text=True)
    r = as_admin.post(
        "/admin/settings", data=_settings_form(public_base_url="https://jiati.zyzjj.gov.cn/")
    )
    assert r.status_code == 303
    s = services.effective_settings(app.extensions["jiati"])
    assert s.public_base_url == "https://jiati.zyzjj.gov.cn"
    assert "对外访问地址仍是本机地址" not in as_admin.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "local"),
    [("http://127.0.0.1:5000", True), ("http://localhost:5110", True), ("http://[::1]/", True),
     ("http://127.8.0.1", True), ("https://jiati.zyzjj.gov.cn", False), ("http://10.0.0.5", False)],
)  # fmt: skip
def test_the_domain_says_when_the_public_address_is_local(url, local):
    from dataclasses import replace

    from workflow.data.settings import Settings, public_url_warning

    warning = public_url_warning(replace(Settings(), public_base_url=url))
    assert (warning is not None) == local


def test_the_demo_setting_says_so_on_every_page(client):
    body = client.get("/verify").get_data(as_text=True)
    assert "演示设置已开启（DEMO_SHORT_PUBLICITY）" in body


def test_a_notice_shorter_than_a_day_is_refused_without_the_demo_setting(tmp_path, clock):
    from tests.conftest import make_app
    from tests.journey import make_people

    app = make_app(tmp_path, clock, PUBLICITY_DAYS=10, DEMO_SHORT_PUBLICITY=False)
    make_people(app.extensions["jiati"])
    client = app.test_client()
    login(client, "admin")
    assert "DEMO_SHORT_PUBLICITY" not in client.get("/admin/").get_data(as_text=True)
    r = client.post("/admin/settings", data=_settings_form(publicity_days="0"))
    assert r.status_code == 400
    assert "公示期不得少于 1 天" in r.get_data(as_text=True)
    assert services.effective_settings(app.extensions["jiati"]).publicity_days == 10
    app.extensions["jiati"].db.dispose()


def test_the_admin_sets_the_residents_privacy_and_footer_settings(as_admin, app):
    r = as_admin.post(
        "/admin/settings",
        data=_settings_form(
            supervisors_min="2", supervisors_max="4", provident_fund_months="18",
            retention_days="365", privacy_request_workdays="10",
            authority_phone="0710-6212345", site_id="4206830001",
        ),
    )  # fmt: skip
    assert r.status_code == 303
    s = services.effective_settings(app.extensions["jiati"])
    assert (s.supervisors_min, s.supervisors_max, s.provident_fund_months) == (2, 4, 18)
    assert (s.retention_days, s.privacy_request_workdays) == (365, 10)
    footer = as_admin.get("/guide").get_data(as_text=True)
    assert "0710-6212345" in footer and "4206830001" in footer


def test_fewer_representatives_at_most_than_at_least_is_refused(as_admin, app):
    r = as_admin.post(
        "/admin/settings", data=_settings_form(supervisors_min="4", supervisors_max="3")
    )
    assert r.status_code == 400
    assert "居民监督代表最多人数（3）不能少于最少人数（4）" in r.get_data(as_text=True)
    s = services.effective_settings(app.extensions["jiati"])
    assert (s.supervisors_min, s.supervisors_max) == (3, 5)


def test_the_admin_names_a_mediators_street_on_the_accounts_page(as_admin, app):
    rt = app.extensions["jiati"]
    r = as_admin.post(
        "/admin/users",
        data={"username": "mediator9", "role": "mediator", "street": "南城街道",
              "password": "a-long-initial-pass", "department": ""},
    )  # fmt: skip
    assert r.status_code == 303
    with rt.db.session() as s:
        made = s.scalar(select(User).where(User.username == "mediator9"))
        assert made.street == "南城街道"
    page = as_admin.get("/admin/users").get_data(as_text=True)
    assert 'value="南城街道"' in page
    r = as_admin.post(
        f"/admin/users/{made.id}",
        data={f"u{made.id}-role": "mediator", f"u{made.id}-street": "北城街道",
              f"u{made.id}-active": "y", f"u{made.id}-department": ""},
    )  # fmt: skip
    assert r.status_code == 303
    with rt.db.session() as s:
        assert s.get(User, made.id).street == "北城街道"
