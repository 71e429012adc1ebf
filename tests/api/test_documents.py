"""PUT /cases/<id>/documents/<kind>: multipart uploads checked by content."""

from __future__ import annotations

import io

from workflow import services

from ..journey import pdf_bytes
from .conftest import assert_error


def put(api, case_id, kind, data: bytes, who="owner", name="file.pdf"):
    return api.put(
        f"/cases/{case_id}/documents/{kind}",
        who,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_applicant_uploads_the_design_plan(api, app_journey):
    case_id = app_journey.case_in("publicity")
    r = put(api, case_id, "design_plan", pdf_bytes())
    assert r.status_code == 201
    doc = r.get_json()["case"]["documents"]["design_plan"]
    assert (doc["status"], doc["document_id"]) == ("uploaded", r.get_json()["id"])
    submit = {a["trigger"]: a for a in r.get_json()["case"]["actions"]}["submit"]
    assert submit["allowed"] is True


def test_a_file_that_is_not_a_pdf_is_415(api, app_journey):
    case_id = app_journey.case_in("publicity")
    body = assert_error(put(api, case_id, "design_plan", b"MZ\x90\x00 not a pdf"), 415)
    assert body["error"] == "unsupported_file"


def test_a_broken_pdf_is_415(api, app_journey):
    case_id = app_journey.case_in("publicity")
    assert_error(put(api, case_id, "design_plan", b"%PDF-1.7 but nothing else"), 415)


def test_json_instead_of_multipart_is_415(api, app_journey):
    case_id = app_journey.case_in("publicity")
    r = api.put(f"/cases/{case_id}/documents/design_plan", "owner", json={"file": "x"})
    assert assert_error(r, 415)["details"][0]["code"] == "content_type"


def test_multipart_without_a_file_is_400(api, app_journey):
    case_id = app_journey.case_in("publicity")
    r = api.put(
        f"/cases/{case_id}/documents/design_plan",
        "owner",
        data={"other": "x"},
        content_type="multipart/form-data",
    )
    assert_error(r, 400)


def test_an_unknown_kind_is_400(api, app_journey):
    case_id = app_journey.case_in("publicity")
    assert_error(put(api, case_id, "selfie", pdf_bytes()), 400, "invalid_input")


def test_only_the_applicant_uploads(api, app_journey):
    case_id = app_journey.case_in("publicity")
    assert_error(put(api, case_id, "design_plan", pdf_bytes(), who="clerk"), 403)
    assert_error(put(api, case_id, "design_plan", pdf_bytes(), who="neighbour"), 404)


def test_an_upload_the_state_does_not_take_is_409(api, app_journey):
    case_id = app_journey.case_in("submitted")
    assert_error(put(api, case_id, "design_plan", pdf_bytes()), 409, "conflict")


def test_a_file_over_the_upload_limit_is_413(api, app, app_journey):
    case_id = app_journey.case_in("publicity")
    rt = app.extensions["jiati"]
    services.change_settings(rt, app_journey.p.admin.id, {"upload_max_mb": 1})
    big = pdf_bytes()[:-6] + b" " * (1024 * 1024) + b"%%EOF\n"
    assert_error(put(api, case_id, "design_plan", big), 413, "too_large")


def test_a_request_over_the_body_limit_is_413_json(api, app, app_journey):
    case_id = app_journey.case_in("publicity")
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    assert_error(put(api, case_id, "design_plan", b"%PDF-" + b"x" * 20_000), 413, "too_large")
    assert_error(api.post("/cases", "owner", data=b"x" * 20_000), 413)
