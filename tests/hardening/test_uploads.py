"""Uploads are checked by content: PDFs parsed with pypdf (page cap, no encryption, no
scripts), pictures re-encoded, given names kept only as cleaned labels, and every file served
back as an attachment in its checked type. On SQLite and PostgreSQL."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from workflow.data.models import Document


def pdf(pages: int = 1, *, js: bool = False, password: str | None = None) -> bytes:
    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    if js:
        from pypdf.generic import DictionaryObject, NameObject, TextStringObject

        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
        w._root_object[NameObject("/OpenAction")] = w._add_object(action)
    if password:
        w.encrypt(password)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def put(api, case_id: int, kind: str, data: bytes, name: str = "plan.pdf"):
    return api.put(
        f"/cases/{case_id}/documents/{kind}",
        "owner",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def app_overrides():
    return {"UPLOAD_MAX_PAGES": 20}


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (pdf(21), "pdf_pages"),
        (pdf(js=True), "pdf_active"),
        (pdf(password="secret"), "pdf_encrypted"),
        (b"%PDF-1.7\n" + b"\x00garbage" * 50, "pdf_broken"),
        (b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(alert(1))>>>>endobj", "pdf_broken"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "file_type"),
    ],
    ids=["too-many-pages", "javascript", "encrypted", "malformed", "bare-js", "png-magic-html"],
)
def test_hostile_files_are_refused_with_their_reason(api, app_journey, data, code):
    case_id = app_journey.new_case()
    r = put(api, case_id, "design_plan", data)
    assert r.status_code == 415, r.get_json()
    assert r.get_json()["details"][0]["code"] == code


def test_a_plain_pdf_within_the_cap_is_accepted(api, app_journey):
    r = put(api, app_journey.new_case(), "design_plan", pdf(20))
    assert r.status_code == 201, r.get_json()


def test_a_picture_is_stored_re_encoded_without_what_rode_along(app, api, app_journey):
    case_id = app_journey.case_in("publicity")
    smuggled = png() + b"<html><script>alert(1)</script></html>"
    r = put(api, case_id, "notice_photo", smuggled, name="photo.png")
    assert r.status_code == 201, r.get_json()
    rt = app.extensions["jiati"]
    with rt.db.session() as s:
        doc = s.get(Document, r.get_json()["id"])
        stored = rt.store.read(doc.sha256)
    assert stored.startswith(b"\x89PNG") and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_given_names_are_only_cleaned_labels_and_files_download_as_attachments(
    app, api, app_journey, client, app_people
):
    from ..conftest import login

    case_id = app_journey.new_case()
    hostile = "../../etc/\u202etxt.exe\x07.pdf"
    r = put(api, case_id, "design_plan", pdf(), name=hostile)
    assert r.status_code == 201
    rt = app.extensions["jiati"]
    with rt.db.session() as s:
        doc = s.get(Document, r.get_json()["id"])
        assert doc.filename == "txt.exe.pdf"
        assert rt.store.path(doc.sha256).name == doc.sha256  # the stored name is generated
    login(client, app_people.owner.username)
    got = client.get(f"/documents/{doc.id}")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
