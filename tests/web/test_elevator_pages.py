"""The staff's elevator register, its CSV, and the 使用管理单位's tokened inspection page."""

from __future__ import annotations

import io
import re

from workflow import services

from ..journey import MANAGEMENT_UNIT, pdf_bytes


def test_the_register_lists_each_elevator_with_filters_and_csv(as_clerk, app_journey):
    case_id = app_journey.case_in("completed")
    html = as_clerk.get("/staff/elevators").get_data(as_text=True)
    assert "梯11鄂FA0042（26）" in html and MANAGEMENT_UNIT["name"] in html
    assert "2027-11-23" in html and "139****0088" in html
    assert f"/staff/elevators/{case_id}" in html
    assert "没有符合条件的电梯" in as_clerk.get("/staff/elevators?which=overdue").get_data(
        as_text=True
    )
    r = as_clerk.get("/staff/elevators.csv")
    assert r.mimetype == "text/csv"
    body = r.get_data(as_text=True)
    assert body.startswith("\ufeff案件编号") and "梯11鄂FA0042（26）" in body
    assert MANAGEMENT_UNIT["phone"] not in body


def test_a_clerk_records_an_inspection_on_the_elevators_page(as_clerk, app_journey):
    case_id = app_journey.case_in("completed")
    r = as_clerk.post(
        f"/staff/elevators/{case_id}",
        data={"inspected_on": "2026-11-20", "result": "合格",
              "report": (io.BytesIO(pdf_bytes()), "r.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 302
    html = as_clerk.get(f"/staff/elevators/{case_id}").get_data(as_text=True)
    assert "2026-11-20 · 合格" in html and "2027-11-20" in html
    # The report itself opens from the register, the bytes the window uploaded.
    link = re.search(r'href="(/staff/elevators/\d+/inspections/\d+/report)"', html).group(1)
    report = as_clerk.get(link)
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    assert report.data.startswith(b"%PDF-")


def test_the_owner_may_not_see_the_register(as_owner):
    assert as_owner.get("/staff/elevators").status_code == 403


def test_the_unit_records_an_inspection_through_its_link(client, app, app_people, app_journey):
    case_id = app_journey.case_in("completed")
    token = services.inspection_link(app.extensions["jiati"], app_people.clerk.id, case_id)
    page = client.get(f"/elevator/{token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "2027-11-23" in page.get_data(as_text=True)
    r = client.post(f"/elevator/{token}", data={"inspected_on": "", "result": "合格"})
    assert r.status_code == 400 and "请上传定期检验报告" in r.get_data(as_text=True)
    r = client.post(
        f"/elevator/{token}",
        data={"inspected_on": "2026-11-21", "result": "合格",
              "report": (io.BytesIO(pdf_bytes()), "r.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 302
    assert 'id="next-due">2027-11-21' in client.get(f"/elevator/{token}").get_data(as_text=True)
    assert client.get("/elevator/nope").status_code == 404


def test_the_clerk_sees_who_runs_the_elevator_before_confirming(as_clerk, app_journey):
    case_id = app_journey.case_in("acceptance")
    html = as_clerk.get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert MANAGEMENT_UNIT["name"] in html and "139****0088" in html
    assert "襄阳安居电梯维保有限公司" in html and "2027-11-30" in html
