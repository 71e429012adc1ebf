"""Letters as issued by the workflow and served by the web: stored once, served unchanged,
verified by anyone, printed together."""

import hashlib
import io
import subprocess

import pytest
from pypdf import PdfReader

from workflow import services
from workflow.data.models import Letter

from ..conftest import login, make_app
from ..journey import Journey, make_people


@pytest.fixture
def app(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=True, PUBLIC_BASE_URL="https://jiati.example.gov.cn")
    yield app
    app.extensions["jiati"].db.dispose()


@pytest.fixture
def journey(rt, people):
    return Journey(rt, people)


def letters_of(rt, case_id):
    with rt.db.session() as s:
        return {x.kind: x for x in s.query(Letter).filter_by(case_id=case_id)}


def pdf_text(data: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return out.stdout.decode()


def test_every_letter_is_rendered_and_stored_in_its_transition(rt, journey, people):
    approved = journey.case_in("subsidy_approved")
    rejected = journey.case_in("review")
    journey.all_agree(rejected)
    services.fire(
        rt, people.housing.id, rejected, "reject", {"reasons": "占用消防通道，不符合规划要求"}
    )
    corrected = journey.case_in("submitted")
    services.fire(
        rt, people.clerk.id, corrected, "request_correction", {"items": "补充结构安全评估报告"}
    )

    issued = {**letters_of(rt, approved), **letters_of(rt, rejected), **letters_of(rt, corrected)}
    assert set(issued) == {"acceptance_notice", "approval_decision", "subsidy_notice",
                           "rejection_decision", "correction_notice"}  # fmt: skip
    facts = {
        "approval_decision": ["准予加装电梯决定书", "翠湖花园"],
        "rejection_decision": ["不予批准决定书", "占用消防通道", "行政复议"],
        "correction_notice": ["补正材料通知书", "补充结构安全评估报告"],
        "subsidy_notice": ["财政补贴核定通知书", "壹拾万元整", "100,000.00"],
        "acceptance_notice": ["受理通知书"],
    }
    for kind, letter in issued.items():
        data = rt.store.read(letter.sha256)
        assert hashlib.sha256(data).hexdigest() == letter.sha256
        text = "".join(pdf_text(data).split())
        assert "".join(letter.number.split()) in text, kind
        assert letter.verify_code in text, kind
        for fact in facts[kind]:
            assert fact in text, (kind, fact)


def test_reprint_gives_the_same_bytes(client, rt, journey, people):
    case_id = journey.case_in("approved")
    letter = letters_of(rt, case_id)["approval_decision"]
    login(client, people.owner.username)
    first = client.get(f"/letters/{letter.id}.pdf")
    second = client.get(f"/letters/{letter.id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data == rt.store.read(letter.sha256)


def test_letters_are_served_only_to_the_applicant_and_staff(client, rt, journey, people):
    case_id = journey.case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    for who, status in ((people.neighbour, 404), (people.admin, 404), (people.planning, 200)):
        login(client, who.username)
        assert client.get(f"/letters/{letter.id}.pdf").status_code == status, who.username
        client.post("/auth/logout")
    assert client.get(f"/letters/{letter.id}.pdf").status_code == 302  # to the login page


def test_verify_page_answers_valid_tampered_and_unknown(client, rt, journey):
    case_id = journey.case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    ok = client.get(f"/verify/{letter.verify_code}")
    page = ok.get_data(as_text=True)
    assert ok.status_code == 200 and "核验通过" in page and letter.number in page
    assert "陈**" in page and "陈桂兰" not in page  # the addressee is masked

    path = rt.store.path(letter.sha256)
    path.write_bytes(path.read_bytes() + b"% altered")
    tampered = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    assert "不一致" in tampered and "核验通过" not in tampered

    unknown = client.get("/verify/ZZZZZZZZZZ")
    assert unknown.status_code == 404 and "未找到核验码为 ZZZZZZZZZZ 的文书" in unknown.get_data(
        as_text=True
    )


def test_the_qr_code_leads_to_the_verification_page(rt, journey, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    case_id = journey.case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(rt.store.read(letter.sha256))
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(tmp_path / "page")], check=True)  # fmt: skip
    found = [b.text for b in zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))]
    assert found == [f"https://jiati.example.gov.cn/verify/{letter.verify_code}"]


def test_batch_print_merges_chosen_letters_in_order(client, rt, journey, people):
    a = journey.case_in("approved")
    b = journey.case_in("review")
    chosen = [letters_of(rt, a)["approval_decision"], letters_of(rt, b)["acceptance_notice"],
              letters_of(rt, a)["acceptance_notice"]]  # fmt: skip
    pages = [len(PdfReader(io.BytesIO(rt.store.read(x.sha256))).pages) for x in chosen]
    login(client, people.clerk.username)
    r = client.post("/letters/batch", data={"letter_ids": [str(x.id) for x in chosen]})
    assert r.status_code == 303  # to the batch's page; the in-process queue has made it
    r = client.get(r.headers["Location"] + ".pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    merged = PdfReader(io.BytesIO(r.data))
    assert len(merged.pages) == sum(pages)
    first_texts = []
    offset = 0
    for n in pages:
        first_texts.append("".join(merged.pages[offset].extract_text().split()))
        offset += n
    assert [x.number in t for x, t in zip(chosen, first_texts, strict=True)] == [True] * 3


def test_batch_print_is_for_staff_only(client, rt, journey, people):
    case_id = journey.case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    login(client, people.owner.username)
    assert client.post("/letters/batch", data={"letter_ids": [str(letter.id)]}).status_code == 403


def test_a_letter_left_unrendered_is_rendered_once_on_first_download(tmp_path, clock):
    app = make_app(tmp_path, clock, RENDER_PDF=False)
    rt = app.extensions["jiati"]
    people = make_people(rt)
    case_id = Journey(rt, people).case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    assert letter.sha256 is None
    from web import PdfRenderer

    rt.renderer = PdfRenderer()
    first = services.letter_file(rt, people.clerk.id, letter.id).data
    again = services.letter_file(rt, people.owner.id, letter.id).data
    assert first == again and first.startswith(b"%PDF-")
    assert letters_of(rt, case_id)["acceptance_notice"].sha256 == hashlib.sha256(first).hexdigest()
    rt.db.dispose()


def test_a_pdf_engine_fault_does_not_block_the_decision(rt, journey, people):
    class Broken:
        def letter(self, context):
            raise RuntimeError("font cache unavailable")

        def document(self, context):
            raise RuntimeError("font cache unavailable")

    working = rt.renderer
    case_id = journey.case_in("review")
    journey.all_agree(case_id)
    rt.renderer = Broken()
    services.fire(rt, people.housing.id, case_id, "approve")
    letter = letters_of(rt, case_id)["approval_decision"]
    assert letter.sha256 is None
    rt.renderer = working
    pdf = services.letter_file(rt, people.owner.id, letter.id).data
    assert letter.number in "".join(pdf_text(pdf).split())


def test_documents_open_for_the_applicant_and_staff_only(client, rt, journey, people):
    from workflow.data.models import Document

    case_id = journey.case_in("submitted")
    with rt.db.session() as s:
        docs = {d.kind: d for d in s.query(Document).filter_by(case_id=case_id)}
    form = docs["application_form"]
    login(client, people.clerk.username)
    r = client.get(f"/documents/{form.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "".join(pdf_text(r.data).split())
    assert "既有住宅加装电梯申请表" in text and "郑喆" in text
    client.post("/auth/logout")
    login(client, people.neighbour.username)
    assert client.get(f"/documents/{docs['design_plan'].id}").status_code == 404


def test_a_letter_that_cannot_be_rendered_says_so_instead_of_crashing(client, rt, journey, people):
    class Broken:
        def letter(self, context):
            raise ValueError("a character no installed face can draw")

        def document(self, context):
            raise ValueError("a character no installed face can draw")

    rt.renderer = Broken()
    case_id = journey.case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    login(client, people.clerk.username)
    r = client.get(f"/letters/{letter.id}.pdf")
    assert r.status_code == 503 and "暂时无法生成 PDF" in r.get_data(as_text=True)


def test_the_subsidy_notice_shows_the_estimate_beside_the_actual_cost(rt, journey):
    case_id = journey.case_in("subsidy_approved")  # estimated 600,000, actual 586,000
    letter = letters_of(rt, case_id)["subsidy_notice"]
    assert letter.data["estimated_cost_fen"] == 60_000_000
    assert letter.data["actual_cost_fen"] == 58_600_000
    text = "".join(pdf_text(rt.store.read(letter.sha256)).split())
    assert "预计工程造价600,000.00元" in text
    assert "实际工程造价586,000.00元" in text


def test_the_approval_decision_counts_one_owner_of_two_flats_once(rt, people):
    from ..journey import application

    data = application()
    for h in data["households"][4:]:
        h.update(owner_name="吴淑珍", phone="13900000501")
    case_id = services.create_case(rt, people.owner.id, data)
    journey = Journey(rt, people)
    for state in ("consultation", "publicity", "submitted", "review", "approved"):
        journey.step(case_id, state)
    letter = letters_of(rt, case_id)["approval_decision"]
    assert letter.data["quorum"]["owners"] == "6 户，5 位业主（吴某拥有 501、601 两套）"
    text = "".join(pdf_text(rt.store.read(letter.sha256)).split())
    assert "吴某拥有501、601两套" in text


def test_a_letter_issued_before_pdf_a_keeps_its_untagged_bytes(
    client, rt, journey, people, monkeypatch
):
    """Letters issued before the switch to PDF/A-2a are records: served as stored, never
    re-rendered; letters issued after it are tagged PDF/A."""
    from web.pdf import engine

    original = engine.html_to_pdf
    monkeypatch.setattr(engine, "html_to_pdf", lambda html, variant=None: original(html, None))
    old_case = journey.case_in("review")
    old = letters_of(rt, old_case)["acceptance_notice"]
    monkeypatch.setattr(engine, "html_to_pdf", original)
    new_case = journey.case_in("review")
    new = letters_of(rt, new_case)["acceptance_notice"]

    login(client, people.clerk.username)
    old_bytes = client.get(f"/letters/{old.id}.pdf").data
    new_bytes = client.get(f"/letters/{new.id}.pdf").data
    assert old_bytes == rt.store.read(old.sha256)
    assert "/StructTreeRoot" not in PdfReader(io.BytesIO(old_bytes)).trailer["/Root"]
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(new_bytes)).trailer["/Root"]


# — adverse acts: every one in writing, with reasons, legal basis and remedies ——————————————


REMEDIES = [
    "枣阳市人民政府",
    "枣阳市人民法院",
    "六十日内",
    "六个月内",
    "申请行政复议",
    "提起行政诉讼",
]


def issued_text(rt, case_id, kind) -> str:
    """The letter's text as read from its PDF, page numbers (—1—) left out."""
    import re

    letter = letters_of(rt, case_id)[kind]
    text = pdf_text(rt.store.read(letter.sha256))
    return "".join(re.sub(r"(?m)^\s*—\d+—\s*$", "", text).split())


def test_refusing_acceptance_issues_a_decision_with_reasons_and_remedies(rt, journey, people):
    case_id = journey.case_in("submitted")
    outcome = services.fire(
        rt, people.clerk.id, case_id, "refuse_acceptance", {"reasons": "该楼栋已列入征收范围"}
    )
    assert outcome.state == "not_accepted" and len(outcome.letters) == 1
    text = issued_text(rt, case_id, "not_accepted_decision")
    assert "不予受理决定书" in text and "该楼栋已列入征收范围" in text
    assert "《中华人民共和国行政许可法》第三十二条" in text
    assert [r for r in REMEDIES if r not in text] == []


def test_refusing_acceptance_needs_reasons(rt, journey, people):
    from workflow.errors import GuardsFailed

    case_id = journey.case_in("submitted")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.clerk.id, case_id, "refuse_acceptance", {"reasons": " "})
    assert err.value.message == "请填写理由。"


def test_the_rejection_names_the_configured_body_and_court(rt, journey, people):
    case_id = journey.case_in("review")
    for who, verdict in ((people.housing, "agree"), (people.planning, "disagree"),
                         (people.market, "agree")):  # fmt: skip
        services.give_opinion(rt, who.id, case_id, verdict=verdict, comment="意见")
    services.fire(rt, people.housing.id, case_id, "reject", {"reasons": "与北侧住宅间距不足"})
    text = issued_text(rt, case_id, "rejection_decision")
    assert "与北侧住宅间距不足" in text and "第三十八条第二款" in text
    # The departments by their full names, as the bodies are called.
    for name in ("枣阳市住房和城乡建设局：同意", "枣阳市自然资源和规划局：不同意",
                 "枣阳市市场监督管理局：同意"):  # fmt: skip
        assert name in text
    assert [r for r in REMEDIES if r not in text] == []


def test_a_cut_subsidy_states_its_reason_and_the_remedies(rt, journey, people):
    case_id = journey.case_in("subsidy_review")
    services.fire(
        rt, people.housing.id, case_id, "approve_subsidy",
        {"amount": "90000", "reason": "部分工程量未通过竣工核验"},
    )  # fmt: skip
    text = issued_text(rt, case_id, "subsidy_notice")
    assert "90,000.00" in text and "理由是：部分工程量未通过竣工核验" in text
    assert [r for r in REMEDIES if r not in text] == []


def test_returning_a_subsidy_application_issues_a_notice(rt, journey, people):
    case_id = journey.case_in("subsidy_review")
    outcome = services.fire(
        rt, people.housing.id, case_id, "return_subsidy", {"reasons": "发票抬头与施工单位不符"}
    )
    assert outcome.state == "completed" and len(outcome.letters) == 1
    text = issued_text(rt, case_id, "subsidy_return_notice")
    assert "财政补贴申请退回通知书" in text and "发票抬头与施工单位不符" in text
    assert [r for r in REMEDIES if r not in text] == []


def test_the_correction_notice_suspends_the_clock_and_names_the_remedies(rt, journey, people):
    case_id = journey.case_in("submitted")
    services.fire(rt, people.clerk.id, case_id, "request_correction", {"items": "补充评估报告"})
    text = issued_text(rt, case_id, "correction_notice")
    assert "补正期间不计入办理期限" in text and "重新计算" not in text
    assert [r for r in REMEDIES if r not in text] == []


# — generated documents carry the same verification as letters ——————————————————————————


def test_every_generated_document_carries_a_code_that_verifies(client, rt, journey, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    from workflow.data.models import Document

    case_id = journey.case_in("submitted")
    with rt.db.session() as s:
        docs = s.query(Document).filter_by(case_id=case_id, source="generated").all()
        frozen = {d.kind: (d.verify_code, d.sha256) for d in docs}
    assert set(frozen) == {"application_form", "owners_agreement", "publicity_report"}
    for kind, (code, sha) in frozen.items():
        pdf = rt.store.read(sha)
        assert code in "".join(pdf_text(pdf).split()), kind
        path = tmp_path / f"{kind}.pdf"
        path.write_bytes(pdf)
        last = str(len(PdfReader(io.BytesIO(pdf)).pages))  # the code closes the document
        subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", last, "-l", last, "-singlefile",
                        str(path), str(tmp_path / kind)], check=True)  # fmt: skip
        found = [b.text for b in zxingcpp.read_barcodes(Image.open(tmp_path / f"{kind}.png"))]
        assert found == [f"https://jiati.example.gov.cn/verify/{code}"], kind

        page = client.get(f"/verify/{code}").get_data(as_text=True)
        assert "核验通过：这是本系统生成的申请材料" in page, kind
        assert sha in page and journey_label(kind) in page


def journey_label(kind):
    from workflow.papers.documents import KINDS as DOCUMENT_KINDS

    return DOCUMENT_KINDS[kind].label


def test_the_verify_page_shows_a_letters_sha256(client, rt, journey):
    case_id = journey.case_in("review")
    letter = letters_of(rt, case_id)["acceptance_notice"]
    page = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    assert "受理通知书" in page and letter.sha256 in page
