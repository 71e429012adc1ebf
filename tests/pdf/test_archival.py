"""Every letter and generated document is an archival, accessible PDF: PDF/A-2a (ISO 19005-2,
level A) with a tagged structure, the document's language and title, a logical reading order
a screen reader can follow, the QR code named in words, and a file qpdf finds clean."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from web.pdf import samples

from . import pdfcheck

LETTERS = list(samples.LETTERS)
DOCUMENTS = list(samples.DOCUMENTS)


def _every_pdf(letter_pdf, document_pdf) -> list[tuple[str, Path]]:
    return [(k, letter_pdf(k)) for k in LETTERS] + [(k, document_pdf(k)) for k in DOCUMENTS]


@pytest.fixture(params=[("letter", k) for k in LETTERS] + [("document", k) for k in DOCUMENTS])
def rendered(request, letter_pdf, document_pdf) -> tuple[str, str, Path]:
    what, kind = request.param
    path = letter_pdf(kind) if what == "letter" else document_pdf(kind)
    return what, kind, path


def _struct_elements(node, out: list) -> list:
    """Structure elements in tree order (the reading order a screen reader follows)."""
    node = node.get_object()
    if "/S" in node:
        out.append(node)
    kids = node.get("/K")
    if kids is None:
        return out
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if hasattr(kid, "get"):
            _struct_elements(kid, out)
    return out


def _marked_content_ids(node, page_of, out: list) -> list:
    """(page number, MCID) of every piece of content, in structure-tree order."""
    node = node.get_object()
    page = page_of.get(node.raw_get("/Pg").idnum) if "/Pg" in node else None
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, list) else [kids]) if kids is not None else []:
        if isinstance(kid, int):
            out.append((page, kid))
            continue
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if hasattr(kid, "get"):
            if "/MCID" in kid:
                out.append((page_of.get(kid.raw_get("/Pg").idnum, page), int(kid["/MCID"])))
            else:
                _marked_content_ids(kid, page_of, out)
    return out


def test_it_is_tagged_and_identifies_itself_as_pdf_a_2a(rendered):
    _, kind, path = rendered
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    assert catalog["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"


def test_it_carries_its_language_and_title(rendered):
    what, kind, path = rendered
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "zh-CN"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    context = samples.letter(kind) if what == "letter" else samples.document(kind)
    title = context.get("title") or ""
    assert title and reader.metadata.title.startswith(title)
    xmp = reader.xmp_metadata.stream.get_data().decode("utf-8")
    assert title in xmp


def test_headings_paragraphs_and_tables_are_tagged_as_such(rendered):
    _, _, path = rendered
    roles = {
        str(e["/S"])
        for e in _struct_elements(PdfReader(path).trailer["/Root"]["/StructTreeRoot"], [])
    }
    assert {"/Document", "/H1", "/P"} <= roles


def _text_by_marked_content(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text drawn inside each marked-content sequence, by (page number, MCID)."""
    found: dict[tuple[int, int], list[str]] = {}
    for number, page in enumerate(reader.pages):
        stack: list[int | None] = []

        def before(op, args, _cm, _tm, stack=stack):
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                stack.append(props.get("/MCID") if hasattr(props, "get") else None)
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC" and stack:
                stack.pop()

        def text(t, _cm, _tm, _font, _size, stack=stack, number=number):
            mcid = next((m for m in reversed(stack) if m is not None), None)
            if mcid is not None:
                found.setdefault((number, int(mcid)), []).append(t)

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return {k: "".join(v) for k, v in found.items()}


def test_reading_order_is_the_letters_order(rendered):
    """Read as a screen reader does, following the structure tree, the text comes out in the
    order a sighted reader reads the page: header, title, addressee, body, verification, date."""
    what, kind, path = rendered
    reader = PdfReader(path)
    page_of = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}
    order = _marked_content_ids(reader.trailer["/Root"]["/StructTreeRoot"], page_of, [])
    pieces = _text_by_marked_content(reader)
    spoken = pdfcheck.squash("".join(pieces.get(key, "") for key in order))

    context = samples.letter(kind) if what == "letter" else samples.document(kind)
    if what == "letter":
        expected = [
            context["authority"],
            context["number"],
            context["title"],
            context["addressee"],
            "扫码或访问",
            f"输入核验码{context['verify_code']}核验真伪",
            "2026年11月27日",
        ]
    else:
        expected = [context["title"], context["case"]["reference"]]
        if kind == "mediation_record":  # the objection, then the mediator's opinion
            expected += [context["mediation"]["objection"]["text"], context["mediation"]["opinion"]]
        elif kind == "resident_acceptance":  # representatives (named again below) come first
            expected += [context["households"][0]["owner_name"]]
        elif kind != "publicity_report":  # the report names objections, not every household
            expected += [h["owner_name"] for h in context["households"][:3]]
    positions = [spoken.find(pdfcheck.squash(s)) for s in expected]
    assert -1 not in positions, dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    # Only the page numbers (in the page margin, pagination rather than content) are left out
    # of the tree; every other piece of text is reachable by reading it.
    outside = {pdfcheck.squash(pieces[k]) for k in set(pieces) - set(order)}
    assert all(re.fullmatch(r"(—\d+—|第\d+页共\d+页)?", t) for t in outside), outside


@pytest.mark.parametrize("kind", LETTERS)
def test_the_qr_code_is_named_in_words_and_its_block_is_text(kind, letter_pdf):
    reader = PdfReader(letter_pdf(kind))
    figures = [
        e
        for e in _struct_elements(reader.trailer["/Root"]["/StructTreeRoot"], [])
        if e["/S"] == "/Figure"
    ]
    context = samples.letter(kind)
    assert any(context["verify_url"] in str(f.get("/Alt", "")) for f in figures)
    text = pdfcheck.text(letter_pdf(kind))
    assert pdfcheck.squash(f"输入核验码{context['verify_code']}核验真伪") in text


def test_qpdf_finds_every_file_clean(letter_pdf, document_pdf):
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("Debian's qpdf is not installed (make install installs it)")
    for kind, path in _every_pdf(letter_pdf, document_pdf):
        result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{kind}: {result.stdout}{result.stderr}"
        assert re.search(r"No syntax or stream encoding errors", result.stdout), kind
