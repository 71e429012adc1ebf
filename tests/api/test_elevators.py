"""GET /api/v1/elevators and POST /api/v1/elevators/{case_id}/inspections."""

from __future__ import annotations

import io

from ..journey import MANAGEMENT_UNIT, pdf_bytes
from .conftest import assert_error


def test_staff_list_the_register_with_the_stable_keys(api, app_journey):
    case_id = app_journey.case_in("completed")
    r = api.get("/elevators", "clerk")
    assert r.status_code == 200, r.get_json()
    [item] = r.get_json()["items"]
    assert item["case_id"] == case_id
    assert item["registration_number"] == "梯11鄂FA0042（26）"
    assert item["management_unit"] == {
        "name": MANAGEMENT_UNIT["name"], "kind": "property", "phone": "139****0088"
    }  # fmt: skip
    assert item["maintenance_company"] == "襄阳安居电梯维保有限公司"
    assert item["contract_ends_on"] == "2027-11-30"
    assert item["next_inspection_due"] == "2027-11-23"
    assert api.get("/elevators?which=overdue", "clerk").get_json()["items"] == []
    assert_error(api.get("/elevators", "owner"), 403)
    assert_error(api.get("/elevators?which=soon", "clerk"), 400)


def _inspect(api, case_id, who="clerk", **fields):
    data = {"inspected_on": "2026-11-20", "result": "合格", **fields}
    data["file"] = (io.BytesIO(pdf_bytes()), "report.pdf")
    return api.post(
        f"/elevators/{case_id}/inspections", who, data=data, content_type="multipart/form-data"
    )


def test_a_clerk_records_an_inspection_with_its_report(api, app_journey):
    case_id = app_journey.case_in("completed")
    r = _inspect(api, case_id)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["elevator"]["next_inspection_due"] == "2027-11-20"
    assert_error(_inspect(api, case_id, result="良好"), 400)
    assert_error(_inspect(api, case_id, who="owner"), 403)
    assert_error(_inspect(api, 999), 404)
    r = api.post(f"/elevators/{case_id}/inspections", "clerk", json={"inspected_on": "2026-11-20"})
    assert_error(r, 415)
