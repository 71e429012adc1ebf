"""The public installers' record, its CSV, the guide's link to it, and the admin's bar page."""

from __future__ import annotations

from ..journey import INSTALLER

CODE = INSTALLER["installer_credit_code"]


def test_the_public_page_compares_installers_without_personal_data(client, app_journey):
    app_journey.case_in("completed")
    html = client.get("/installers?sort=on_time").get_data(as_text=True)
    assert INSTALLER["installer_name"] in html and CODE in html
    assert "开工 1，竣工 1" in html and "暂无记录" in html
    assert "李秀英" not in html and "13800000001" not in html
    body = client.get("/installers.csv").get_data(as_text=True)
    assert body.startswith("\ufeff安装单位") and CODE in body and "李秀英" not in body
    assert "/installers" in client.get("/guide").get_data(as_text=True)


def test_the_admin_bars_and_lifts_and_the_public_page_shows_it(as_admin, client, app):
    r = as_admin.post(
        "/admin/installers",
        data={"credit_code": CODE, "document_number": "枣阳住建〔2026〕12号",
              "until": "2027-06-30", "reason": "拒不整改"},
    )  # fmt: skip
    assert r.status_code == 303
    html = client.get("/installers").get_data(as_text=True)
    assert "禁止承接新工程至 2027-06-30" in html and "枣阳住建〔2026〕12号" in html
    assert as_admin.post(f"/admin/installers/{CODE}/lift").status_code == 303
    assert "禁止承接新工程至" not in client.get("/installers").get_data(as_text=True)
    page = as_admin.get("/admin/installers").get_data(as_text=True)
    assert "已于" in page and "解除" in page


def test_a_bad_bar_is_refused_with_its_reasons(as_admin):
    r = as_admin.post("/admin/installers", data={"credit_code": CODE, "reason": ""})
    assert r.status_code == 400
    assert "请填写列入名单的理由" in r.get_data(as_text=True)


def test_only_the_admin_has_the_bar_page(as_clerk):
    assert as_clerk.get("/admin/installers").status_code in (302, 403)
