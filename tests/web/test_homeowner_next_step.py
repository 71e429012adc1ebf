"""The case page does the owner's next step in place: the files it waits for, in one form."""

from __future__ import annotations

import io

from tests.journey import pdf_bytes


def test_case_page_uploads_several_files_at_once_and_says_what_is_next(as_owner, app_journey):
    case_id = app_journey.case_in("construction")
    page = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert 'name="inspection_report"' in page and 'name="equipment_registration"' in page
    r = as_owner.post(
        f"/my/cases/{case_id}/uploads",
        data={
            "inspection_report": (io.BytesIO(pdf_bytes()), "report.pdf"),
            "equipment_registration": (io.BytesIO(pdf_bytes()), "registration.pdf"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    body = r.get_data(as_text=True)
    assert (
        "已完成：上传特种设备监督检验报告、特种设备使用登记证。下一步：现在可以“报告竣工”。" in body
    )
    assert 'name="inspection_report"' not in body  # nothing left to upload


def test_case_page_upload_names_a_wrong_file(as_owner, app_journey):
    case_id = app_journey.case_in("construction")
    r = as_owner.post(
        f"/my/cases/{case_id}/uploads",
        data={"acceptance_report": (io.BytesIO(b"not a pdf"), "report.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "竣工验收报告：" in r.get_data(as_text=True)
