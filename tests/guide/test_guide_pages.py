"""The public face as a visitor, an owner and an admin use it: the guide, the calculator that
works without an account or JavaScript, the policy list, and the admin's texts and policies."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from workflow import services
from workflow.data.models import Case
from workflow.read import cases as queries
from workflow.services import guide as guide_services

from ..conftest import login
from ..journey import pdf_bytes


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_front_page_leads_to_guide_calculator_policies_tracking_and_sign_in(client):
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    for href in ("/guide", "/calculator", "/policies", "/track", "/auth/login"):
        assert f'href="{href}' in html, href


def test_anyone_reads_the_guide_without_an_account(client):
    r = client.get("/guide")
    assert r.status_code == 200
    text = _text(r)
    for fact in ("既有住宅加装电梯申请表", "设计方案（含结构安全评估）", "2 个工作日", "不收费",
                 "第二百七十八条", "特种设备安全法", "100,000.00 元/部", "枣阳市人民政府"):  # fmt: skip
        assert fact in text, fact


def test_the_guide_shows_the_subsidy_paid_and_its_correction_from_the_declaration(client):
    text = _text(client.get("/guide"))
    # The last step of the happy path ends in 补贴已拨付, recorded by the window.
    assert re.search(r"登记补贴拨付.{0,200}补贴已拨付", text), "the step 补贴已拨付 is missing"
    assert "拨付凭证号" in text
    # A corrected subsidy is among the other steps, with its written notice.
    assert re.search(r"更正核准补贴.{0,300}财政补贴核定通知书", text)


def test_when_an_admin_changes_a_deadline_the_guide_changes_with_it(client, app, app_people):
    assert "10 个工作日" in _text(client.get("/guide"))
    services.change_settings(
        app.extensions["jiati"], app_people.admin.id, {"review_workdays": 12, "publicity_days": 5}
    )
    text = _text(client.get("/guide"))
    assert "12 个工作日" in text and "公示期 5 日" in text and "10 个工作日" not in text


def test_the_printable_guide_is_a_tagged_pdf_of_the_same_content(client):
    r = client.get("/guide.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    assert reader.metadata.title == "既有住宅加装电梯办事指南"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "受理" in text and "2个工作日" in text


def test_the_calculator_posts_back_without_javascript(client):
    r = client.post(
        "/calculator",
        data={"floors": "6", "per_floor": "2", "same_area": "85", "estimated_cost": "450000"},
    )
    assert r.status_code == 200
    text = _text(r)
    assert "预计财政补贴 100,000.00" in text
    assert "601 85.00 1.0 51,470.59" in text and "101 85.00 0 0.00" in text
    assert "合计 350,000.00" in text
    assert "至少 8 户" in text and "680.00 m²" in text


def test_each_households_own_area_overrides_the_same_area(client):
    r = client.post(
        "/calculator",
        data={
            "floors": "3",
            "per_floor": "1",
            "same_area": "80",
            "estimated_cost": "100000",
            "area-3-1": "120.50",
            "coef-3": "1",
        },  # fmt: skip
    )
    text = _text(r)
    assert "301 120.50 1 20,000.00" in text  # 100,000 − the 80,000 subsidy, all on floor 3


def test_the_calculator_names_every_mistake(client):
    r = client.post(
        "/calculator", data={"floors": "0", "per_floor": "2", "same_area": "", "estimated_cost": ""}
    )
    assert r.status_code == 400
    text = _text(r)
    assert "楼层数应为 2 到 40 之间的整数" in text and "预计总造价" in text


def test_the_live_answer_is_the_same_computation(client):
    r = client.get("/calculator/live?floors=6&per_floor=2&same_area=85&estimated_cost=450000")
    data = r.get_json()
    assert data["errors"] == {}
    assert "51,470.59" in data["result"] and 'name="area-6-2"' in data["grid"]


def test_start_an_application_with_these_figures_after_signing_in(client, app, app_people):
    figures = {"floors": "4", "per_floor": "2", "same_area": "70", "estimated_cost": "300000"}
    r = client.post("/calculator/start", data=figures)
    assert r.status_code == 303 and "/my/new" in r.headers["Location"]
    assert "/auth/login" in client.get(r.headers["Location"]).headers["Location"]
    login(client, app_people.owner.username)
    html = client.get("/my/new").get_data(as_text=True)
    assert 'value="401"' in html and 'value="70.00"' in html and 'value="4"' in html
    form = {"community": "阳光小区", "address": "枣阳市人民路1号", "building": "1号楼",
            "unit": "1单元", "floors": "4", "op": "save"}  # fmt: skip
    for n, (room, floor) in enumerate([(f"{f}0{i}", f) for f in range(1, 5) for i in (1, 2)]):
        form |= {f"households-{n}-room": room, f"households-{n}-floor": str(floor),
                 f"households-{n}-area": "70.00", f"households-{n}-owner_name": f"业主{n}"}  # fmt: skip
    r = client.post("/my/new", data=form)
    assert r.status_code == 302, _text(r)[:500]
    case = client.get(r.headers["Location"])
    assert case.status_code == 200
    rt = app.extensions["jiati"]
    listing = queries.list_cases(rt, app_people.owner.id, per_page=5)
    assert listing["items"], "the new draft exists"
    with rt.db.session() as s:
        c = s.get(Case, listing["items"][0]["id"])
        assert c.estimated_cost_fen == 30_000_000 and c.floors == 4


def test_an_admin_previews_texts_before_saving_them(client, app_people):
    login(client, app_people.admin.username)
    data = {"window_address": "枣阳市政务服务中心二楼 12 号窗口", "window_hours": "周一至周五",
            "contacts": "0710-1234567", "complaints": "12345", "conditions": "", "policy_notes": ""}  # fmt: skip
    r = client.post("/admin/guide", data={**data, "op": "preview"})
    assert r.status_code == 200 and "二楼 12 号窗口" in _text(r)
    assert "二楼 12 号窗口" not in _text(client.get("/guide"))
    r = client.post("/admin/guide", data={**data, "op": "save"})
    assert r.status_code == 303
    assert "二楼 12 号窗口" in _text(client.get("/guide"))


def test_only_an_admin_edits_the_guide(client, app_people):
    login(client, app_people.owner.username)
    assert client.post("/admin/guide", data={"op": "save"}).status_code in (302, 403)
    assert client.get("/admin/policies").status_code in (302, 403)


def test_an_admin_lists_a_policy_with_its_pdf_and_the_public_reads_it(client, app_people):
    login(client, app_people.admin.username)
    pdf = pdf_bytes()
    r = client.post(
        "/admin/policies",
        data={
            "title": "枣阳市既有住宅加装电梯实施办法",
            "issuer": "枣阳市人民政府",
            "issued_on": "2024-06-01",
            "url": "",
            "pdf": (io.BytesIO(pdf), "rules.pdf"),
        },  # fmt: skip
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    client.post("/auth/logout")
    page = client.get("/policies")
    text = _text(page)
    assert "枣阳市既有住宅加装电梯实施办法" in text and "2024-06-01" in text
    link = re.search(r'href="(/policies/[0-9a-f]+\.pdf)"', page.get_data(as_text=True))[1]
    assert client.get(link).data == pdf
    assert "枣阳市既有住宅加装电梯实施办法" in _text(client.get("/guide"))


def test_a_policy_needs_a_link_or_a_pdf_and_a_date(client, app_people):
    login(client, app_people.admin.username)
    r = client.post(
        "/admin/policies",
        data={"title": "某文件", "issuer": "某机关", "issued_on": "去年", "url": ""},
    )
    assert r.status_code == 400
    text = _text(r)
    assert "请填写发布日期" in text and "请填写链接或上传 PDF 文件" in text


def test_an_admin_removes_a_policy(client, app, app_people):
    rt = app.extensions["jiati"]
    pid = guide_services.add_policy(
        rt, app_people.admin.id, title="旧办法", issuer="某机关", issued_on="2020-01-01",
        url="https://example.org/old",
    )  # fmt: skip
    login(client, app_people.admin.username)
    assert client.post(f"/admin/policies/{pid}/remove").status_code == 303
    assert "旧办法" not in _text(client.get("/policies"))


def test_an_admins_text_is_shown_as_text_never_as_markup(client, app, app_people):
    rt = app.extensions["jiati"]
    guide_services.save_guide_texts(
        rt, app_people.admin.id, {"contacts": "<script>alert(1)</script> 0710-1234567"}
    )
    html = client.get("/guide").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    pdf = client.get("/guide.pdf").data
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "alert(1)" in text  # printed as the characters typed


def test_the_calculator_opens_with_an_example_building_in_either_language(client):
    for url in ("/calculator", "/calculator?lang=en"):
        r = client.get(url)
        assert r.status_code == 200 and 'id="shares-total"' in r.get_data(as_text=True)
    assert "Elevator cost calculator" in _text(client.get("/calculator?lang=en"))


def test_the_calculator_shows_what_the_low_floors_receive_and_who_pays_it(client):
    # 5,000.00 元 to each of 101, 102, 201, 202 (20,000.00 元), paid by 301–602 over the weights
    # 0.7 : 0.8 : 0.9 : 1.0 (× 85 m², two flats a floor): 2,058.82 / 2,352.94 / 2,647.06 /
    # 2,941.18 元 a flat; the four fen left go to the remainders .88 (501, 502) and .65 (601, 602).
    page = client.get(
        "/calculator?floors=6&per_floor=2&same_area=85&estimated_cost=450000&compensation=5000"
    ).get_data(as_text=True)
    assert 'id="compensation-total">20,000.00' in page
    assert "+5,000.00" in page
    for paid in ("−2,058.82", "−2,352.94", "−2,647.06", "−2,941.18"):
        assert paid in page


def test_the_guide_page_shows_return_for_rectification(client):
    html = client.get("/guide").get_data(as_text=True)
    assert "退回整改" in html and "竣工居民验收意见表" in html
