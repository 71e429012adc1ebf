"""The CJK faces: the start-up check, the pre-subset copies and the fallback to the system."""

from __future__ import annotations

import subprocess
import sys

import pytest

from web.pdf import FontMissingError, check_fonts, engine, fonts, render_letter, samples

from . import pdfcheck


def test_start_up_check_finds_the_serif_cjk_face():
    report = check_fonts()
    assert report.body is not None and report.body.family == "Noto Serif CJK SC"
    assert report.rare_characters


def test_missing_cjk_face_is_a_clear_error_in_chinese_and_english(tmp_path):
    with pytest.raises(FontMissingError) as error:
        check_fonts(families=("No Such Serif CJK",), build_dir=tmp_path)
    message = str(error.value)
    assert "未找到中文字体" in message and "fonts-noto-cjk" in message
    assert "No CJK font found" in message


def test_a_latin_face_does_not_pass_for_a_cjk_one():
    # fontconfig always answers with some face; DejaVu has no 中, so it must not count.
    with pytest.raises(FontMissingError):
        check_fonts(families=("DejaVu Serif",), build_dir=None)


def test_japanese_variant_is_not_taken_for_the_chinese_face():
    face = fonts.find_face("Noto Serif CJK SC")
    assert face is not None and face.family == "Noto Serif CJK SC"
    assert fonts.find_face("No Such Serif CJK") is None


def test_pre_subset_faces_alone_are_enough_to_start(tmp_path):
    if not fonts.built_faces():
        pytest.skip("pre-subset faces not built (python -m web.pdf.fonts build)")
    report = check_fonts(families=("No Such Serif CJK",))
    assert "serif-regular" in report.presubset
    assert not report.rare_characters


def test_charset_covers_gb2312_and_the_punctuation_letters_print():
    chars = fonts.charset()
    assert len([c for c in chars if "\u4e00" <= c <= "\u9fff"]) == 6763
    assert set("〔〕—（）：；“”、。《》㎡²0123456789ABCxyz") <= chars
    assert not {"堃", "喆", "䶮", "𠮷"} & chars  # outside GB2312: the system face draws them


def test_no_build_means_no_font_face_rules(tmp_path):
    assert fonts.built_faces(tmp_path) == []
    assert fonts.font_face_css(tmp_path) == ""


def test_build_is_quick_when_up_to_date(tmp_path):
    if not fonts.built_faces():
        pytest.skip("pre-subset faces not built")
    messages = []
    fonts.build(log=messages.append)
    assert messages == [f"fonts up to date in {fonts.BUILD_DIR}"]


def test_letters_use_the_pre_subset_faces_when_built(letter_pdf):
    if not fonts.built_faces():
        pytest.skip("pre-subset faces not built")
    names = pdfcheck.glyphs(letter_pdf("acceptance_notice")).fonts
    assert {n.split("+")[-1] for n in names} >= {
        "Noto-Serif-CJK-SC-GB2312",
        "Noto-Serif-CJK-SC-GB2312-Bold",
    }
    assert not any("JP" in n or "KR" in n or "TC" in n for n in names)


def test_letters_render_from_the_system_faces_without_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "BUILD_DIR", tmp_path / "absent")
    monkeypatch.setattr(engine, "_font_config", None)
    monkeypatch.setattr(engine, "_stylesheet", None)
    path = pdfcheck.write(tmp_path, render_letter(samples.letter("approval_decision")))
    report = pdfcheck.glyphs(path)
    assert report.problems == []
    assert {"枣", "阳", "堃", "𠮷"} <= report.drawn
    assert not any("GB2312" in n for n in report.fonts)


def test_fonts_command_is_importable_without_the_renderer():
    # `make install` runs `python -m web.pdf.fonts build`; it must not need WeasyPrint.
    code = "import sys, web.pdf.fonts; print('weasyprint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _one_page_decision() -> dict:
    # The page the performance budget is set for (bench/letters.py): one reason, no owners list.
    context = samples.letter("rejection_decision")
    context.update(owners=[], quorum=None, opinions=[])
    context["reasons"] = "电梯井道占用小区消防车通道，不符合消防安全要求"
    return context


def test_a_one_page_letter_stays_within_60_kib():
    if not fonts.built_faces():
        pytest.skip("pre-subset faces not built")
    # The faces are most of the file; as CFF they made this page 153 KiB (web/pdf/fonts.py).
    assert len(render_letter(_one_page_decision())) <= 60 * 1024


def test_pre_subset_faces_are_embedded_as_truetype(tmp_path):
    if not fonts.built_faces():
        pytest.skip("pre-subset faces not built")
    report = pdfcheck.glyphs(pdfcheck.write(tmp_path, render_letter(_one_page_decision())))
    assert report.problems == []
    out = subprocess.run(
        ["pdffonts", str(tmp_path / "out.pdf")], capture_output=True, text=True, check=True
    ).stdout
    rows = [line for line in out.splitlines() if "GB2312" in line]
    assert rows and all("CID TrueType" in line for line in rows)


def test_rare_names_come_from_the_built_face_beyond_gb2312(letter_pdf):
    built = {face.key for face, _ in fonts.built_faces()}
    if "serif-regular-beyond-gb2312" not in built:
        pytest.skip("pre-subset faces not built")
    report = pdfcheck.glyphs(letter_pdf("approval_decision"))
    assert report.problems == []
    assert {"堃", "喆", "䶮", "𠮷"} <= report.drawn
    assert any(name.endswith("+Noto-Serif-CJK-SC-Ext") for name in report.fonts)
    # The body text's system face is no longer embedded for them (a CFF face of ~65k glyphs).
    assert not any(name.endswith("+Noto-Serif-CJK-SC") for name in report.fonts)
