"""Looking inside rendered PDFs: text, word boxes, the glyphs each font draws, the QR code."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

MM = 72 / 25.4


def write(tmp_path: Path, pdf: bytes, name: str = "out.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def text(pdf_path: Path) -> str:
    """pdftotext's reading, all whitespace and page numbers (—1—) removed: CJK lines wrap
    anywhere, and a sentence may run on to the next page."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    return squash(re.sub(r"(?m)^\s*—\d+—\s*$", "", out))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]


def pages(pdf_path: Path) -> list[Page]:
    """Every word with its box in points, from pdftotext -bbox."""
    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(pdf_path), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    root = ElementTree.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out))
    result = []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        words = tuple(
            Word(number, w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        )
        result.append(Page(number, float(page.get("width")), float(page.get("height")), words))
    return result


def lines(page: Page, tolerance: float = 3.0) -> list[str]:
    """The words of a page grouped into visual lines (table rows), left to right."""
    rows: list[list[Word]] = []
    for word in sorted(page.words, key=lambda w: (w.y0 + w.y1) / 2):
        middle = (word.y0 + word.y1) / 2
        if rows and abs(middle - (rows[-1][0].y0 + rows[-1][0].y1) / 2) <= tolerance:
            rows[-1].append(word)
        else:
            rows.append([word])
    return ["".join(w.text for w in sorted(row, key=lambda w: w.x0)) for row in rows]


# --- glyphs -----------------------------------------------------------------------------------


@dataclass
class EmbeddedFont:
    name: str
    to_unicode: dict[int, str]
    font: TTFont
    cids: dict[int, int] | None  # code → CID from an embedded CMap; None for Identity-H

    def cid(self, code: int) -> int:
        return code if self.cids is None else self.cids.get(code, 0)

    def glyph_name(self, code: int) -> str:
        order = self.font.getGlyphOrder()
        return order[code] if code < len(order) else ""

    def has_outline(self, glyph: str) -> bool:
        if "glyf" in self.font:  # TrueType: the pre-subset faces
            return self.font["glyf"][glyph].numberOfContours != 0
        cff = self.font["CFF "].cff  # CFF: the system faces, for characters outside GB2312
        charstring = cff.topDictIndex[0].CharStrings[glyph]
        charstring.decompile()
        # An empty glyph is just "endchar" (and maybe a width).
        return any(op for op in charstring.program if isinstance(op, str) and op != "endchar")


def _parse_to_unicode(data: bytes) -> dict[int, str]:
    def utf16(hexstr: bytes) -> str:
        return bytes.fromhex(hexstr.decode()).decode("utf-16-be")

    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(src, 16)] = utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = utf16(dst)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = start[:-1] + chr(ord(start[-1]) + offset)
    return mapping


def _parse_cids(data: bytes) -> dict[int, int]:
    """An embedded encoding CMap (WeasyPrint writes one when a glyph is .notdef)."""
    mapping: dict[int, int] = {}
    for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
        for src, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*(\d+)", block):
            mapping[int(src, 16)] = int(cid)
    for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
        for lo, hi, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\d+)", block):
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = int(cid) + offset
    return mapping


def _fonts(resources) -> dict[str, EmbeddedFont]:
    fonts = {}
    for key, ref in (resources.get("/Font") or {}).items():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0", font
        encoding = font["/Encoding"]
        if encoding == "/Identity-H":
            cids = None
        else:
            cids = _parse_cids(encoding.get_object().get_data())
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        stream = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
        assert stream is not None, f"{font['/BaseFont']} is not embedded"
        fonts[key] = EmbeddedFont(
            str(font["/BaseFont"]),
            _parse_to_unicode(font["/ToUnicode"].get_object().get_data()),
            TTFont(io.BytesIO(stream.get_object().get_data())),
            cids,
        )
    return fonts


def _shown(contents, resources, reader) -> Iterator[tuple[EmbeddedFont, int]]:
    """(font, glyph code) of every glyph a content stream shows, Form XObjects included."""
    fonts = _fonts(resources)
    current = None
    for operands, operator in ContentStream(contents, reader).operations:
        if operator == b"Tf":
            current = fonts[operands[0]]
        elif operator in (b"Tj", b"'", b'"', b"TJ"):
            strings = operands[0] if operator == b"TJ" else [operands[-1]]
            for s in strings:
                if isinstance(s, bytes | str) or hasattr(s, "original_bytes"):
                    raw = s.original_bytes if hasattr(s, "original_bytes") else bytes(s)
                    for i in range(0, len(raw), 2):
                        yield current, int.from_bytes(raw[i : i + 2], "big")
        elif operator == b"Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject.get("/Subtype") == "/Form":
                inner = xobject.get("/Resources", resources)
                yield from _shown(xobject, inner.get_object(), reader)


@dataclass
class GlyphReport:
    drawn: set[str]  # characters drawn, as the fonts' ToUnicode maps say
    problems: list[str]  # every glyph that is .notdef, unmapped, or not the character's glyph
    fonts: set[str]


def glyphs(pdf_path: Path) -> GlyphReport:
    """Check every glyph shown: not .notdef, maps back to a character (ToUnicode), and has an
    outline in the embedded font — a character no face has would come out as .notdef."""
    reader = PdfReader(str(pdf_path))
    drawn: set[str] = set()
    problems: list[str] = []
    fonts: set[str] = set()
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for font, code in _shown(page.get_contents(), resources, reader):
            fonts.add(font.name)
            char = font.to_unicode.get(code)
            cid = font.cid(code)
            glyph = font.glyph_name(cid)
            if cid == 0 or glyph in ("", ".notdef"):
                problems.append(f"{font.name}: .notdef drawn (code {code}, char {char!r})")
                continue
            if char is None:
                problems.append(f"{font.name}: glyph {glyph} has no Unicode mapping")
                continue
            drawn.update(char)
            # The drawn glyph may be a shaped variant (locl, proportional digits…) of the
            # character's own glyph; HarfBuzz then keeps only the variant, and the character
            # drops out of the subset's cmap. Where the cmap still has it, it must be a glyph.
            cmap = font.font.getBestCmap() or {}
            if any(cmap.get(ord(c)) == ".notdef" for c in char):
                problems.append(f"{font.name}: cmap maps {char!r} to .notdef")
            if not char.isspace() and not font.has_outline(glyph):
                problems.append(f"{font.name}: {char!r} drawn with empty glyph {glyph}")
    return GlyphReport(drawn, problems, fonts)


class _TextOf(HTMLParser):
    """The visible text of our HTML (no <style>, no <svg>)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "svg", "title", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "svg", "title", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _TextOf()
    parser.feed(html)
    return "".join(parser.parts)


# --- pictures ---------------------------------------------------------------------------------


def png(pdf_path: Path, page: int, dpi: int) -> Path:
    prefix = pdf_path.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf_path),
            f"{prefix}-p{page}",
        ],
        check=True,
    )
    return Path(f"{prefix}-p{page}.png")


def page_count(pdf_path: Path) -> int:
    return len(PdfReader(str(pdf_path)).pages)
