"""The three generated application documents: every household on one form, the cost shares
exact to the fen, the publicity with its objections."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from web.pdf import ContextError, document_html, render_document, samples
from workflow.rules.money import yuan

from . import pdfcheck
from .pdfcheck import MM, squash

KINDS = list(samples.DOCUMENTS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_character_is_drawn_with_a_real_glyph(kind, document_pdf):
    report = pdfcheck.glyphs(document_pdf(kind))
    assert report.problems == []
    written = set(squash(pdfcheck.html_text(document_html(samples.document(kind)))))
    assert written - report.drawn == set()


@pytest.mark.parametrize("kind", KINDS)
def test_tables_fit_the_a4_page(kind, document_pdf):
    for page in pdfcheck.pages(document_pdf(kind)):
        assert (round(page.width), round(page.height)) == (595, 842)
        outside = [
            w.text
            for w in page.words
            if w.x0 < 17 * MM or w.x1 > (210 - 17) * MM or w.y0 < 19 * MM or w.y1 > 290 * MM
        ]
        assert outside == []


@pytest.mark.parametrize("kind", KINDS)
def test_header_block_names_the_building_and_applicant(kind, document_pdf):
    text = pdfcheck.text(document_pdf(kind))
    case = samples.CASE
    for fact in (
        case["reference"],
        case["address"],
        case["community"],
        case["building"],
        case["unit"],
        samples.APPLICANT["name"],
        samples.APPLICANT["phone_masked"],
        samples.DOCUMENTS[kind]["title"],
    ):
        assert squash(fact) in text


def test_application_form_lists_every_household_with_signature_on_one_form(document_pdf):
    path = document_pdf("application_form")
    text = pdfcheck.text(path)
    printed = [line for page in pdfcheck.pages(path) for line in pdfcheck.lines(page)]
    labels = {"agree": "同意", "object": "反对", "abstain": "弃权", None: "未表决"}
    channels = {"online": "线上", "paper": "纸质", "": ""}
    expected = [
        squash(
            f"{i}{h['room']}{h['floor']}{h['area']}{h['owner_name']}{labels[h['choice']]}"
            f"{h['signature_name']}{h['signed_at']}{channels[h['channel']]}"
        )
        for i, h in enumerate(samples.HOUSEHOLDS, 1)
    ]
    assert [row for row in expected if row not in printed] == []
    assert "线上" in text and "纸质" in text
    assert "反对" in text and "未表决" in text
    assert squash("同意 10 户，反对 1 户，弃权 0 户，未表决 1 户") in text
    assert squash("1065.30") in text  # total area


def test_owners_agreement_shares_are_exact_and_add_up(document_pdf):
    text = pdfcheck.text(document_pdf("owners_agreement"))
    for h in samples.HOUSEHOLDS:
        assert yuan(h["share_fen"]) in text
    assert sum(h["share_fen"] for h in samples.HOUSEHOLDS) == 32_000_000
    assert squash("320,000.00") in text
    assert squash("叁拾贰万元整") in text
    assert squash("0.7") in text and squash("59.640") in text  # coefficient × area, exact


def test_owners_agreement_refuses_shares_that_do_not_add_up():
    context = samples.document("owners_agreement")
    context["households"][-1]["share_fen"] += 1
    with pytest.raises(ContextError, match="add up"):
        document_html(context)


def test_publicity_report_shows_period_objections_and_photo(document_pdf):
    path = document_pdf("publicity_report")
    text = pdfcheck.text(path)
    for fact in (
        "2026年11月1日至2026年11月14日",
        "3号楼2单元楼道口公告栏",
        "共收到异议2件，已处理2件，全部处理完毕",
    ):
        assert squash(fact) in text
    for o in samples.DOCUMENTS["publicity_report"]["objections"]:
        assert squash(o["text"]) in text and squash(o["resolution"]) in text
    # One photo; WeasyPrint may list it in the resources of the page it was pushed off too.
    images = {img.data for page in PdfReader(str(path)).pages for img in page.images}
    assert len(images) == 1


def test_publicity_report_without_objections_or_photo(tmp_path):
    context = samples.document("publicity_report")
    context.update(objections=[], notice_photo=None)
    text = pdfcheck.text(pdfcheck.write(tmp_path, render_document(context)))
    assert "公示期间未收到异议" in text
    assert "公示张贴照片" not in text


def test_notice_photo_must_be_an_image_not_a_url():
    context = samples.document("publicity_report")
    context["notice_photo"] = "file:///etc/passwd"
    with pytest.raises(ContextError, match="notice_photo"):
        document_html(context)


def test_a_long_roster_runs_over_pages_with_its_header_repeated(tmp_path):
    context = samples.document("application_form")
    base = context["households"]
    context["households"] = [
        base[i % len(base)]
        | {
            "room": f"{i // 4 + 1}0{i % 4 + 1}",
            "owner_name": "欧阳" + base[i % len(base)]["owner_name"],
        }
        for i in range(60)
    ]
    path = pdfcheck.write(tmp_path, render_document(context))
    pages = pdfcheck.pages(path)
    assert len(pages) >= 2
    for page in pages:
        lines = pdfcheck.lines(page)
        if any("欧阳" in line for line in lines):
            assert any("业主姓名" in line for line in lines)
        assert [w.text for w in page.words if w.x1 > (210 - 17) * MM or w.x0 < 17 * MM] == []
    assert squash("合计") in pdfcheck.text(path)


def test_a_shortened_notice_says_its_report_is_demo_data():
    context = samples.document("publicity_report")
    assert "演示数据" not in pdfcheck.html_text(document_html(context))
    context["publicity"] = {**context["publicity"], "start": "2026-11-01", "end": "2026-11-01"}
    assert "公示期短于法定期限" in pdfcheck.html_text(document_html(context))
