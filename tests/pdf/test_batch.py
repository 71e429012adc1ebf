"""Batch printing: the chosen letters as one PDF laid out on every core, each letter's text in
it, the CJK faces embedded once per worker's share instead of once per letter."""

import io

from pypdf import PdfReader, PdfWriter

from web.pdf import render_letter, samples
from web.pdf.batch import batch_pdf, render_letters

KINDS = ["acceptance_notice", "correction_notice", "approval_decision", "rejection_decision"]


def _letters(n: int) -> list[dict]:
    out = []
    for i in range(n):
        context = samples.letter(KINDS[i % len(KINDS)])
        context["number"] = f"枣阳住建梯〔2026〕{100 + i}号"
        out.append(context)
    return out


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _embedded_faces(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    seen = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            seen.add(font.indirect_reference.idnum if font.indirect_reference else id(font))
    return len(seen)


def test_the_batch_holds_every_letters_text_in_order():
    letters = _letters(6)
    pdf = batch_pdf(letters, processes=2)
    text = _text(pdf).replace(" ", "").replace("\n", "")
    positions = [text.find(c["number"].replace(" ", "")) for c in letters]
    assert -1 not in positions, positions
    assert positions == sorted(positions)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == sum(
        len(PdfReader(io.BytesIO(render_letter(c))).pages) for c in letters
    )


def test_the_batch_shares_its_faces_and_is_smaller_than_the_letters_joined():
    letters = _letters(8)
    pdf = batch_pdf(letters, processes=2)
    writer = PdfWriter()
    for one in render_letters(letters, processes=2):
        writer.append(PdfReader(io.BytesIO(one)))
    joined = io.BytesIO()
    writer.write(joined)
    assert _embedded_faces(pdf) < _embedded_faces(joined.getvalue())
    assert len(pdf) < len(joined.getvalue()) / 2


def test_letters_rendered_in_parallel_are_the_bytes_rendered_one_by_one():
    letters = _letters(3)
    assert render_letters(letters, processes=2) == [render_letter(c) for c in letters]


def test_progress_is_told_as_each_workers_share_is_laid_out():
    letters = _letters(8)
    heard = []
    pdf = batch_pdf(letters, processes=2, progress=lambda done, total: heard.append((done, total)))
    assert sorted(heard) == [(4, 8), (8, 8)] and heard[-1] == (8, 8)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 8


def test_a_batch_in_one_share_tells_its_progress_once():
    heard = []
    batch_pdf(_letters(2), processes=2, progress=lambda done, total: heard.append((done, total)))
    assert heard == [(2, 2)]
