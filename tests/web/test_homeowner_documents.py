"""Cost sharing, the public notice and its photo, the four documents and later uploads."""

from __future__ import annotations

import io
import re

from workflow.read import cases as queries

from ..journey import COMPLETION, pdf_bytes


def _png() -> bytes:
    """A one-pixel PNG as Pillow writes it (every chunk's CRC right, as a phone's would be)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (1, 1), (255, 255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def describe(app, people, case_id):
    return queries.describe_case(app.extensions["jiati"], people.owner.id, case_id)


def upload(client, case_id, kind, data, name, back="documents"):
    return client.post(
        f"/my/cases/{case_id}/upload",
        data={"kind": kind, "next": back, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


# — cost sharing ——————————————————————————————————————————————————————————


def test_cost_page_shares_the_cost_less_the_subsidy_exactly(as_owner, app_journey):
    case_id = app_journey.new_case()  # estimated cost 600,000 yuan, 6 floors: 100,000 subsidy
    html = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    assert 'value="600000.00"' in html
    assert "减去预计财政补贴 100,000.00 元" in html
    assert "合计" in html and "500,000.00 元" in html
    assert 'id="coefficient_3" name="coefficient_3" value="0.7"' in html


def test_changing_coefficients_recomputes_the_shares(app, as_owner, app_people, app_journey):
    case_id = app_journey.new_case()
    data = {"estimated_cost": "300000", **{f"coefficient_{f}": "1" for f in range(1, 7)}}
    r = as_owner.post(f"/my/cases/{case_id}/costs", data=data)
    assert r.status_code == 302
    c = describe(app, app_people, case_id)
    assert c["costs"]["estimated_cost_fen"] == 30_000_000
    assert sum(c["costs"]["shares_fen"].values()) == 30_000_000 - 10_000_000  # less the subsidy
    assert all(int(v) > 0 for v in c["costs"]["shares_fen"].values())


def test_bad_cost_figures_are_shown_beside_their_fields_and_kept(
    app, as_owner, app_people, app_journey
):
    case_id = app_journey.new_case()
    data = {"estimated_cost": "六十万", "coefficient_3": "-1", "coefficient_4": "0.8"}
    r = as_owner.post(f"/my/cases/{case_id}/costs", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "预计总造价：金额格式不正确" in html and "3 层系数应为 0 到 10 之间的数" in html
    assert 'value="六十万"' in html and 'value="-1"' in html and 'value="0.8"' in html
    assert 'href="#coefficient_3"' in html and 'href="#estimated_cost"' in html
    assert describe(app, app_people, case_id)["costs"]["estimated_cost_fen"] == 60_000_000


def test_costs_are_read_only_once_the_notice_starts(as_owner, app_journey):
    case_id = app_journey.case_in("publicity")
    html = as_owner.get(f"/my/cases/{case_id}/costs").get_data(as_text=True)
    assert "公示开始后费用分摊不再修改" in html and "保存并重新计算" not in html


# — public notice ——————————————————————————————————————————————————————————


def test_notice_page_shows_the_period_and_takes_the_photo(app, as_owner, app_people, app_journey):
    case_id = app_journey.case_in("publicity")
    html = as_owner.get(f"/my/cases/{case_id}/notice").get_data(as_text=True)
    assert "公示期已满" in html and "单元门口" in html and "目前没有异议" in html
    r = upload(as_owner, case_id, "notice_photo", pdf_bytes(), "photo.pdf", back="notice")
    assert r.status_code == 415 or r.status_code == 400
    assert "只接受 JPEG 图片、PNG 图片" in r.get_data(as_text=True)
    assert "公示期" in r.get_data(as_text=True)  # the notice page again, not an error page
    r = upload(as_owner, case_id, "notice_photo", PNG, "photo.png", back="notice")
    assert r.status_code == 302 and r.headers["Location"].endswith("/notice")
    assert "notice_photo" in describe(app, app_people, case_id)["other_documents"]
    assert "已上传" in as_owner.get(f"/my/cases/{case_id}/notice").get_data(as_text=True)


def test_the_printable_notice_has_the_period_and_a_qr_code_to_object(
    app, as_owner, app_people, app_journey
):
    case_id = app_journey.case_in("publicity")
    c = describe(app, app_people, case_id)
    html = as_owner.get(f"/my/cases/{case_id}/notice/print").get_data(as_text=True)
    assert "既有住宅加装电梯公示" in html and c["reference"] in html
    assert "<svg" in html and f"/notice/{c['reference']}" in html
    assert "600,000.00 元" in html and "同意 6 户" in html


# — documents ————————————————————————————————————————————————————————————


def test_documents_page_shows_the_four_at_a_glance(as_owner, app_journey):
    case_id = app_journey.case_in("consultation")
    html = as_owner.get(f"/my/cases/{case_id}/documents").get_data(as_text=True)
    assert html.count("提交时自动生成") == 3 and "尚未上传" in html
    assert "设计方案（含结构安全评估），PDF 文件" in html
    assert "签字后的申请表扫描件（PDF）" in html


def test_a_design_plan_that_is_not_a_pdf_is_refused_by_content(
    app, as_owner, app_people, app_journey
):
    case_id = app_journey.case_in("publicity")
    r = upload(as_owner, case_id, "design_plan", b"%PDX not really", "plan.pdf")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "文件格式不符，只接受 PDF" in html and 'href="#file-design_plan"' in html
    assert describe(app, app_people, case_id)["documents"]["design_plan"]["status"] == "missing"
    r = upload(as_owner, case_id, "design_plan", pdf_bytes(), "plan.pdf")
    assert r.status_code == 302
    assert describe(app, app_people, case_id)["documents"]["design_plan"]["status"] == "uploaded"


def test_a_broken_pdf_and_an_empty_choice_are_explained(as_owner, app_journey):
    case_id = app_journey.case_in("publicity")
    r = upload(as_owner, case_id, "design_plan", b"%PDF-1.4 broken", "plan.pdf")
    assert "PDF 文件已损坏或无法打开" in r.get_data(as_text=True)
    r = as_owner.post(
        f"/my/cases/{case_id}/upload", data={"kind": "design_plan", "next": "documents"}
    )
    assert r.status_code == 400 and "请先选择要上传的文件" in r.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused_with_its_size(app, as_owner, app_journey):
    from dataclasses import replace

    rt = app.extensions["jiati"]
    rt.settings = replace(rt.settings, upload_max_mb=1)
    case_id = app_journey.case_in("publicity")
    r = upload(as_owner, case_id, "design_plan", pdf_bytes() + b" " * (1024 * 1024), "plan.pdf")
    assert r.status_code == 400 and "文件超过 1 MB 的上限" in r.get_data(as_text=True)


def test_submit_becomes_possible_once_the_plan_is_uploaded(app, as_owner, app_people, app_journey):
    case_id = app_journey.case_in("publicity")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "暂时还不能“提交申请”" in html and "设计方案" in html
    upload(as_owner, case_id, "design_plan", pdf_bytes(), "plan.pdf")
    html = as_owner.get(f"/my/cases/{case_id}").get_data(as_text=True)
    assert "暂时还不能“提交申请”" not in html
    v = describe(app, app_people, case_id)["version"]
    as_owner.post(f"/my/cases/{case_id}/act/submit", data={"version": v})
    assert describe(app, app_people, case_id)["state"] == "submitted"
    html = as_owner.get(f"/my/cases/{case_id}/documents").get_data(as_text=True)
    assert "已生成" in html and 'name="file"' not in html


def test_completion_papers_are_uploaded_after_construction(app, as_owner, app_people, app_journey):
    case_id = app_journey.case_in("construction")
    html = as_owner.get(f"/my/cases/{case_id}/documents").get_data(as_text=True)
    assert "特种设备监督检验报告（检验机构出具，PDF 或照片）" in html
    assert "特种设备使用登记证（PDF 或照片）" in html
    upload(as_owner, case_id, "inspection_report", pdf_bytes(), "report.pdf")
    upload(as_owner, case_id, "equipment_registration", PNG, "cert.png")
    v = describe(app, app_people, case_id)["version"]
    r = as_owner.post(
        f"/my/cases/{case_id}/act/report_completion",
        data={"version": v, **COMPLETION, "registration_number": "梯11鄂F00042"},
    )
    assert r.status_code == 302
    assert describe(app, app_people, case_id)["state"] == "acceptance"


def test_uploading_to_another_owners_case_is_not_found(client, app_people, app_journey):
    from ..conftest import login

    case_id = app_journey.case_in("publicity")
    login(client, app_people.neighbour.username)
    r = upload(client, case_id, "design_plan", pdf_bytes(), "plan.pdf")
    assert r.status_code == 404


def test_an_uploaded_document_opens_from_the_documents_page(as_owner, app_journey):
    case_id = app_journey.case_in("publicity")
    upload(as_owner, case_id, "design_plan", pdf_bytes(), "plan.pdf")
    html = as_owner.get(f"/my/cases/{case_id}/documents").get_data(as_text=True)
    [href] = re.findall(r'href="(/documents/\d+)"', html)
    r = as_owner.get(href)
    assert r.status_code == 200 and r.data.startswith(b"%PDF-")


def test_letters_are_offered_for_download_on_the_progress_page(as_owner, app_journey):
    case_id = app_journey.case_in("review")
    html = as_owner.get(f"/my/cases/{case_id}/progress").get_data(as_text=True)
    assert re.search(r'href="/letters/\d+\.pdf"', html) and "下载 PDF" in html


def test_generated_documents_can_be_previewed_before_submission(as_owner, app_journey):
    case_id = app_journey.case_in("publicity")
    page = as_owner.get(f"/my/cases/{case_id}/documents").get_data(as_text=True)
    assert f"/cases/{case_id}/documents/application_form/preview" in page
    preview = as_owner.get(f"/cases/{case_id}/documents/application_form/preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "既有住宅加装电梯申请表" in html and "郑喆" in html
    assert as_owner.get(f"/cases/{case_id}/documents/design_plan/preview").status_code == 404


def test_another_owner_cannot_preview(client, app_people, app_journey):
    from ..conftest import login

    case_id = app_journey.case_in("consultation")
    login(client, app_people.neighbour.username)
    assert client.get(f"/cases/{case_id}/documents/owners_agreement/preview").status_code == 404
