"""The five letters a clerk prints: what they say, that every character is really drawn, the
GB/T 9704 page, and the QR code that verifies them."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys

import pytest
import zxingcpp
from PIL import Image

from web.pdf import ContextError, letter_html, render_letter, samples

from . import pdfcheck
from .pdfcheck import MM, squash

KINDS = list(samples.LETTERS)


def _common_facts(context: dict) -> list[str]:
    return [
        context["number"],
        context["addressee"],
        context["title"],
        context["authority"],
        "2026年11月27日",  # issued_on, written as GB/T 9704 asks
        context["case"]["reference"],
        context["verify_code"],
    ]


# What every adverse letter must say about remedies: the body, the court, both time limits.
REMEDIES = [
    "六十日内依照《中华人民共和国行政复议法》向枣阳市人民政府申请行政复议",
    "六个月内依照《中华人民共和国行政诉讼法》向枣阳市人民法院提起行政诉讼",
]

KEY_FACTS = {
    "acceptance_notice": [
        "枣阳市南城街道光武大道12号光武花园3号楼2单元",
        "2026年11月25日",  # received
        "2026年12月11日",  # review deadline
        "决定予以受理",
        "设计方案（含结构安全评估）",
    ],
    "correction_notice": [
        "1.设计方案缺少结构安全评估报告，请补充由具备资质的单位出具的评估报告。",
        "2.302室业主签名与产权证姓名不一致，请提供委托书或产权变更证明。",
        "3.公示照片未显示公示日期，请补充能反映公示起止日期的现场照片。",
        "一次性告知",
        "重新提交",
        "《中华人民共和国行政许可法》第三十二条",
        "以中止时剩余的期限继续计算",
        *REMEDIES,
    ],
    "approval_decision": [
        "枣阳市南城街道光武大道12号光武花园3号楼2单元",
        "地上6层",
        "共12户",
        "赵堃",
        "黄喆",
        "周䶮",
        "吴𠮷",
        "参与表决的业主专有部分面积占本单元专有部分总面积的91.67%",
        "同意人数占参与表决人数的90.91%",
        "枣阳市住房和城乡建设局：同意。设计方案符合既有住宅加装电梯技术要求。",
        "枣阳市自然资源和规划局：同意。",
        "枣阳市市场监督管理局：同意。",
        "准予加装电梯",
        "竣工验收",
        "申请财政补贴",
    ],
    "rejection_decision": [
        "电梯井道占用小区消防车通道，不符合消防安全要求。",
        "加装电梯后与北侧住宅的间距不足6米，影响相邻住宅的通风和采光。",
        "枣阳市自然资源和规划局：不同意。",
        "不予批准",
        "《中华人民共和国行政许可法》第三十八条第二款",
        *REMEDIES,
    ],
    "review_extension": [
        "2026年12月10日",  # the deadline before
        "延长10个工作日",
        "2026年12月24日",  # the extended deadline
        "第四十二条",
        "需组织相邻建筑采光影响的专家论证",
    ],
    "subsidy_notice": [
        "432,156.78元",  # actual cost
        "100,000.00元",  # cap
        "95,000.00元",  # amount in figures
        "玖万伍仟元整",  # and in capital numerals
        "中国工商银行枣阳支行6222021605001234567",
        "理由是：部分工程量未通过竣工核验，相应费用不予补贴。",
        *REMEDIES,
    ],
    "not_accepted_decision": [
        "2026年11月25日",  # received
        "申请事项依法不属于本机关职权范围。",
        "《中华人民共和国行政许可法》第三十二条",
        "不予受理",
        *REMEDIES,
    ],
    "subsidy_return_notice": [
        "开票单位与施工合同的施工单位不一致",
        "退回该补贴申请",
        *REMEDIES,
    ],
}


def test_correction_notice_suspends_the_clock_and_never_restarts_it(letter_pdf):
    text = pdfcheck.text(letter_pdf("correction_notice"))
    assert squash("补正期间不计入办理期限") in text
    assert "重新计算" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_letter_text_holds_number_addressee_and_key_facts(kind, letter_pdf):
    text = pdfcheck.text(letter_pdf(kind))
    context = samples.letter(kind)
    missing = [s for s in _common_facts(context) + KEY_FACTS[kind] if squash(s) not in text]
    assert missing == []


@pytest.mark.parametrize("kind", KINDS)
def test_every_character_is_drawn_with_a_real_glyph(kind, letter_pdf, tmp_path):
    path = letter_pdf(kind)
    report = pdfcheck.glyphs(path)
    assert report.problems == []
    written = set(squash(pdfcheck.html_text(letter_html(samples.letter(kind)))))
    assert written - report.drawn == set()


def test_rare_characters_in_names_are_drawn_from_the_full_face(letter_pdf):
    report = pdfcheck.glyphs(letter_pdf("approval_decision"))
    assert report.problems == []
    assert {"堃", "喆", "䶮", "𠮷"} <= report.drawn
    # Outside GB2312: they come from the built Ext face or the system face, not the GB2312 copy.
    assert any(not name.split("+")[-1].endswith(("GB2312", "GB2312-Bold")) for name in report.fonts)


@pytest.mark.parametrize("kind", KINDS)
def test_qr_code_decodes_to_the_verify_url(kind, letter_pdf):
    path = letter_pdf(kind)
    image = Image.open(pdfcheck.png(path, pdfcheck.page_count(path), dpi=200))
    codes = zxingcpp.read_barcodes(image)
    assert [(c.format, c.text) for c in codes] == [
        (zxingcpp.BarcodeFormat.QRCode, samples.letter(kind)["verify_url"])
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_page_is_a4_with_text_inside_the_gbt9704_type_area(kind, letter_pdf):
    pages = pdfcheck.pages(letter_pdf(kind))
    tolerance = 1.5 * MM
    left, right = 28 * MM - tolerance, (210 - 26) * MM + tolerance
    # pdftotext's boxes run from the font's ascent: the 30 pt masthead's reaches 3 mm higher.
    top, bottom = (37 - 3) * MM, (297 - 35) * MM + tolerance
    for page in pages:
        assert (round(page.width), round(page.height)) == (595, 842)
        body = [w for w in page.words if w.y1 <= bottom]
        folio = [w for w in page.words if w.y1 > bottom]
        outside = [w.text for w in body if w.x0 < left or w.x1 > right or w.y0 < top]
        assert outside == []
        # The page number, "— n —" 7 mm under the type area.
        assert squash("".join(w.text for w in folio)) == f"—{page.number}—"


def test_page_numbers_sit_right_on_odd_and_left_on_even_pages(letter_pdf):
    pages = pdfcheck.pages(letter_pdf("approval_decision"))
    assert len(pages) >= 2
    for page in pages:
        folio = [w for w in page.words if w.y1 > (297 - 35) * MM]
        middle = page.width / 2
        if page.number % 2:
            assert min(w.x0 for w in folio) > middle
        else:
            assert max(w.x1 for w in folio) < middle


def test_body_runs_on_the_22_line_grid(letter_pdf):
    pages = pdfcheck.pages(letter_pdf("approval_decision"))
    lines = sorted({round(w.y1, 1) for w in pages[1].words if w.y1 < (297 - 35) * MM})
    steps = [round(b - a, 1) for a, b in zip(lines, lines[1:], strict=False)]
    pitch = max(set(steps), key=steps.count)
    assert 225 * MM / pitch == pytest.approx(22, abs=0.2)


def test_authority_header_is_red(letter_pdf):
    path = letter_pdf("acceptance_notice")
    image = Image.open(pdfcheck.png(path, 1, dpi=50)).convert("RGB")
    width, height = image.size
    header = image.crop((0, 0, width, height // 4))
    body = image.crop((0, height // 3, width, height))

    def red(im):
        data = im.tobytes()
        pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
        return sum(1 for r, g, b in pixels if r > 170 and g < 90 and b < 90)

    assert red(header) > 200
    assert red(body) == 0


def test_subsidy_reason_is_printed_only_when_below_the_cap(tmp_path):
    context = samples.letter("subsidy_notice")
    context.update(amount_fen=10_000_000, reason="")
    text = pdfcheck.text(pdfcheck.write(tmp_path, render_letter(context)))
    assert squash("核定补贴金额100,000.00元") in text
    assert squash("核定补贴金额（大写）壹拾万元整") in text
    assert "低于补贴上限" not in text


def test_html_preview_is_the_same_letter(tmp_path):
    context = samples.letter("rejection_decision")
    html = letter_html(context)
    assert '<html lang="zh-CN">' in html
    assert '"Noto Serif CJK SC"' in html
    assert "<svg" in html and context["number"] in html
    # The preview carries no path to the server's font files.
    assert "file:" not in html and "@font-face" not in html


def test_rendering_is_deterministic():
    context = samples.letter("approval_decision")
    assert render_letter(context) == render_letter(samples.letter("approval_decision"))


def test_rendering_is_deterministic_across_processes():
    # Stored letters are served as stored; still, a re-render elsewhere gives the same bytes.
    code = (
        "import hashlib; from web.pdf import render_letter, samples; "
        "print(hashlib.sha256(render_letter(samples.letter('rejection_decision'))).hexdigest())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = hashlib.sha256(render_letter(samples.letter("rejection_decision"))).hexdigest()
    assert out.stdout.strip() == here


def test_pdf_dates_come_from_the_letter_not_the_clock():
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(render_letter(samples.letter("acceptance_notice")))).metadata
    assert info["/CreationDate"].startswith("D:20261127")
    assert "/ModDate" not in info


def test_unknown_kind_is_refused():
    context = samples.letter("acceptance_notice") | {"kind": "eviction_notice"}
    with pytest.raises(ContextError, match="unknown letter kind"):
        letter_html(context)


def test_missing_keys_are_all_named():
    context = samples.letter("subsidy_notice")
    for key in ("number", "cap_fen", "amount_fen"):
        del context[key]
    with pytest.raises(ContextError) as error:
        letter_html(context)
    assert all(key in str(error.value) for key in ("number", "cap_fen", "amount_fen"))


def test_correction_notice_needs_an_item():
    context = samples.letter("correction_notice") | {"items": []}
    with pytest.raises(ContextError, match="items"):
        letter_html(context)


def test_names_are_escaped_not_interpreted():
    context = samples.letter("approval_decision")
    context["owners"] = ['<img src="file:///etc/passwd">张三']
    html = letter_html(context)
    assert "<img" not in html
    assert "&lt;img" in html


def test_a_character_no_installed_face_has_is_refused_not_printed_as_a_box():
    context = samples.letter("acceptance_notice")
    context["addressee"] = "\U00017000张三"  # Tangut: no installed face has it
    with pytest.raises(ContextError, match="U\\+17000"):
        render_letter(context)


def test_glyph_check_catches_a_notdef_glyph(tmp_path):
    # Past the refusal above, WeasyPrint would draw the .notdef box: the check must see it.
    from web.pdf.engine import html_to_pdf

    context = samples.letter("acceptance_notice")
    context["addressee"] = "\U00017000张三"
    path = pdfcheck.write(tmp_path, html_to_pdf(letter_html(context, for_pdf=True)))
    assert any(".notdef" in p for p in pdfcheck.glyphs(path).problems)


def test_long_typed_values_wrap_inside_the_type_area(tmp_path):
    context = samples.letter("subsidy_notice")
    context["payee"] = "开户行中国工商银行枣阳支行账号" + "6222021605001234567" * 4
    context["reason"] = "See-attached-inspection-report-" * 6
    context["case"] = context["case"] | {"address": "枣阳市南城街道" + "光武大道" * 15 + "12号"}
    path = pdfcheck.write(tmp_path, render_letter(context))
    for page in pdfcheck.pages(path):
        outside = [w.text for w in page.words if w.x0 < 26 * MM or w.x1 > (210 - 24) * MM]
        assert outside == []


def test_the_seal_space_lies_over_the_authority_and_the_date(letter_pdf):
    """GB/T 9704-2012 7.3.5.1: the seal presses down on 发文机关署名 and 成文日期, which sit a
    little below its centre; the date four characters in from the right edge."""
    page = pdfcheck.pages(letter_pdf("acceptance_notice"))[-1]
    lines = {w.text: w for w in page.words}
    date = next(w for t, w in lines.items() if t.startswith("2026年11月27日"))
    name = [w for w in page.words if w.text == "枣阳市住房和城乡建设局"][-1]
    right_edge = (210 - 26) * MM
    assert 3 * 16 <= right_edge - date.x1 <= 5 * 16  # 右空四字, in 16 pt characters
    assert abs((name.x0 + name.x1) / 2 - (date.x0 + date.x1) / 2) < 4  # centred on the date
    body_end = max(w.y1 for w in page.words if w.y1 < name.y0 - 1 and w.x0 < 120 * MM)
    assert name.y0 - body_end >= 15 * MM  # room for the seal's upper half above the name
