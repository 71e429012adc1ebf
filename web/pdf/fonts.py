"""CJK faces for the letters: where they are, a pre-subset copy, and the start-up check.

Letters are set in Noto Serif CJK SC (body, GB/T 9704 asks for a serif Song/Fangsong face), its
bold weight for the red authority header and titles (the nearest installed face to 小标宋), and
Noto Sans CJK SC for first-level headings (黑体).

WeasyPrint subsets every face with HarfBuzz when it embeds it. Starting from the system
collections (20–27 MB, ~65k glyphs) that costs about twice the time and three times the PDF size
of starting from a copy already cut down to GB2312, so ``python -m web.pdf.fonts build`` (run by
``make install``) writes such copies with fontTools into ``web/pdf/fonts/build/``. The
stylesheet names the copy first and the system face after it, so characters outside GB2312
(names such as 堃, 喆, 䶮, 𠮷) still come from a face that has them. Without the build, letters
render from the system faces alone, only slower.

Those rarer characters have a built copy of their own, the rest of the serif regular face beyond
GB2312, named after the GB2312 copy: names are set in regular body text (bold is kept for fixed
wording: titles, the authority, the decision), so only the bold and sans faces fall back to the
system collections.

The copies are TrueType (``glyf``) rather than the system faces' CFF. WeasyPrint subsets with
"retain glyph ids": every glyph up to the highest one a letter uses stays in the embedded face,
empty. In CFF each empty glyph still costs a CharStrings offset that counts up by one and a
range in the sparse CID charset, which deflate cannot shrink: about 25 KiB a face even for the
twenty glyphs of a title. In ``glyf`` an empty glyph repeats the previous ``loca`` offset and
compresses to nearly nothing, so a one-page letter went from ~153 KiB to the size its few
hundred outlines need.

Faces are found through fontconfig, the library WeasyPrint itself uses, so what the check sees
is what the renderer gets.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

BUILD_DIR = Path(__file__).resolve().parent / "fonts" / "build"
MANIFEST = "manifest.json"
# Bump when the character set or the subsetting options change: the next build redoes the faces.
# 2: TrueType outlines instead of CFF (see the module's docstring).
# 3: the serif regular face beyond GB2312 is built too.
BUILD_VERSION = 3
# Largest distance, in font units (1000 an em), between a CFF cubic curve and the quadratic
# curves that replace it: fontTools' own default for otf2ttf, far below a printer dot at 10.5 pt.
CURVE_TOLERANCE = 1.0

BODY_FAMILY = "Noto Serif CJK SC"
HEADING_FAMILY = "Noto Sans CJK SC"
# Characters every usable face must have: a face without them would print boxes.
PROBE_TEXT = "中华人民共和国加装电梯决定书"


@dataclass(frozen=True)
class Face:
    key: str
    family: str  # the system family the copy is cut from, and the fallback after it
    weight: int  # CSS weight
    css_family: str  # the name the copy is loaded under by @font-face
    beyond_gb2312: bool = False  # the face's characters outside charset(), not those inside

    @property
    def filename(self) -> str:
        return f"{self.key}.ttf" if self.beyond_gb2312 else f"{self.key}-gb2312.ttf"


FACES: tuple[Face, ...] = (
    Face("serif-regular", BODY_FAMILY, 400, f"{BODY_FAMILY} GB2312"),
    Face("serif-bold", BODY_FAMILY, 700, f"{BODY_FAMILY} GB2312"),
    Face("sans-regular", HEADING_FAMILY, 400, f"{HEADING_FAMILY} GB2312"),
    Face("serif-regular-beyond-gb2312", BODY_FAMILY, 400, f"{BODY_FAMILY} Ext", True),
)


class FontMissingError(RuntimeError):
    """No CJK face to set the letters in: every Chinese character would print as a box."""


@dataclass(frozen=True)
class SystemFace:
    family: str
    path: str
    index: int  # face number inside a .ttc collection
    weight: int  # CSS weight of the face fontconfig chose


@dataclass(frozen=True)
class FontReport:
    """What the letters will be set in, as found by :func:`check_fonts`."""

    body: SystemFace | None  # the system face (fallback for characters outside GB2312)
    presubset: tuple[str, ...]  # keys of the pre-subset faces in use
    missing: tuple[str, ...]  # optional faces not found (letters still render)

    @property
    def rare_characters(self) -> bool:
        """Whether characters outside GB2312 have a face to fall back on."""
        return self.body is not None


# --- fontconfig -------------------------------------------------------------------------------

_FC_MATCH_PATTERN = 0
_FC_RESULT_MATCH = 0
# fontconfig weights (fontconfig.h) and the CSS weights they stand for.
_FC_WEIGHTS = {400: 80, 700: 200}
_CSS_WEIGHTS = {80: 400, 200: 700}


def _fontconfig() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    lib.FcInit.restype = ci
    lib.FcPatternCreate.restype = vp
    lib.FcPatternAddString.argtypes = [vp, cp, cp]
    lib.FcPatternAddInteger.argtypes = [vp, cp, ci]
    lib.FcConfigSubstitute.argtypes = [vp, vp, ci]
    lib.FcDefaultSubstitute.argtypes = [vp]
    lib.FcFontMatch.restype = vp
    lib.FcFontMatch.argtypes = [vp, vp, ctypes.POINTER(ci)]
    lib.FcPatternGetString.argtypes = [vp, cp, ci, ctypes.POINTER(cp)]
    lib.FcPatternGetInteger.argtypes = [vp, cp, ci, ctypes.POINTER(ci)]
    lib.FcPatternGetCharSet.argtypes = [vp, cp, ci, ctypes.POINTER(vp)]
    lib.FcCharSetHasChar.argtypes = [vp, ctypes.c_uint32]
    lib.FcPatternDestroy.argtypes = [vp]
    lib.FcInit()
    return lib


def find_face(family: str, weight: int = 400, probe: str = PROBE_TEXT) -> SystemFace | None:
    """The installed face of exactly this family and weight that has every probe character.

    fontconfig always answers with *some* font; a face of another family (DejaVu, a Japanese
    variant) does not count, because Chinese set in it prints as boxes or with Japanese shapes.
    """
    lib = _fontconfig()
    if lib is None:
        return None
    pattern = lib.FcPatternCreate()
    lib.FcPatternAddString(pattern, b"family", family.encode())
    lib.FcPatternAddString(pattern, b"lang", b"zh-cn")
    lib.FcPatternAddInteger(pattern, b"weight", _FC_WEIGHTS.get(weight, 80))
    lib.FcConfigSubstitute(None, pattern, _FC_MATCH_PATTERN)
    lib.FcDefaultSubstitute(pattern)
    result = ctypes.c_int()
    match = lib.FcFontMatch(None, pattern, ctypes.byref(result))
    lib.FcPatternDestroy(pattern)
    if not match:
        return None
    try:
        families = []
        text = ctypes.c_char_p()
        n = 0
        while lib.FcPatternGetString(match, b"family", n, ctypes.byref(text)) == _FC_RESULT_MATCH:
            families.append(text.value.decode())
            n += 1
        if family not in families:
            return None
        if lib.FcPatternGetString(match, b"file", 0, ctypes.byref(text)) != _FC_RESULT_MATCH:
            return None
        path = text.value.decode()
        number = ctypes.c_int()
        index = 0
        if lib.FcPatternGetInteger(match, b"index", 0, ctypes.byref(number)) == _FC_RESULT_MATCH:
            index = number.value
        found_weight = weight
        if lib.FcPatternGetInteger(match, b"weight", 0, ctypes.byref(number)) == _FC_RESULT_MATCH:
            found_weight = _CSS_WEIGHTS.get(number.value, number.value)
        if found_weight != weight:
            return None
        charset = ctypes.c_void_p()
        if lib.FcPatternGetCharSet(match, b"charset", 0, ctypes.byref(charset)) != 0:
            return None
        if not all(lib.FcCharSetHasChar(charset, ord(c)) for c in probe):
            return None
        return SystemFace(families[0], path, index, found_weight)
    finally:
        lib.FcPatternDestroy(match)


class _Coverage:
    """Every character some installed face has, in the order Pango falls back through them.

    fontconfig's FcFontSort answers with the fallback list for the body family and the union
    of its character sets: a character outside it is drawn by no face at all, as a box.
    """

    def __init__(self, family: str):
        self._lib = lib = _fontconfig()
        self._charset = None
        if lib is None:
            return
        lib.FcFontSort.restype = ctypes.c_void_p
        lib.FcFontSort.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.POINTER(ctypes.c_int),
        ]
        pattern = lib.FcPatternCreate()
        lib.FcPatternAddString(pattern, b"family", family.encode())
        lib.FcPatternAddString(pattern, b"lang", b"zh-cn")
        lib.FcConfigSubstitute(None, pattern, _FC_MATCH_PATTERN)
        lib.FcDefaultSubstitute(pattern)
        charset = ctypes.c_void_p()
        result = ctypes.c_int()
        fonts = lib.FcFontSort(None, pattern, 1, ctypes.byref(charset), ctypes.byref(result))
        lib.FcPatternDestroy(pattern)
        if fonts:
            lib.FcFontSetDestroy.argtypes = [ctypes.c_void_p]
            lib.FcFontSetDestroy(fonts)
        self._charset = charset if charset else None  # kept for the life of the process

    def missing(self, chars: Iterable[str]) -> list[str]:
        if self._charset is None:
            return []  # no fontconfig to ask: check_fonts() has already complained
        has = self._lib.FcCharSetHasChar
        return sorted({c for c in chars if not has(self._charset, ord(c))})


_coverage: _Coverage | None = None


def uncovered(chars: Iterable[str]) -> list[str]:
    """The characters among ``chars`` that no installed face can draw (they would be boxes)."""
    global _coverage
    if _coverage is None:
        _coverage = _Coverage(BODY_FAMILY)
    return _coverage.missing(chars)


# --- the pre-subset faces ---------------------------------------------------------------------


def charset() -> set[str]:
    """GB2312 (6763 hanzi and its symbols) plus the Latin, punctuation and signs letters print."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    ranges = (
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1: ², ×, ·, ¥
        (0x2000, 0x206F),  # general punctuation: — … ‰ ※
        (0x2100, 0x215F),  # letterlike: № ℃
        (0x2460, 0x24FF),  # ① ⑴ ⒈
        (0x3000, 0x303F),  # CJK punctuation: 〔〕〇《》
        (0x3220, 0x3247),  # ㈠
        (0x33A1, 0x33A1),  # ㎡
        (0xFF01, 0xFF5E),  # full-width forms
        (0xFFE0, 0xFFE6),  # ￥
    )
    for start, end in ranges:
        chars.update(chr(c) for c in range(start, end + 1))
    return chars


def _manifest(build_dir: Path) -> dict:
    try:
        return json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _source_stamp(face: SystemFace) -> dict:
    stat = os.stat(face.path)
    return {
        "path": face.path,
        "index": face.index,
        "size": stat.st_size,
        "mtime": int(stat.st_mtime),
        "version": BUILD_VERSION,
    }


def built_faces(build_dir: Path = BUILD_DIR) -> list[tuple[Face, Path]]:
    """The pre-subset faces present in the build folder, as recorded by a finished build."""
    recorded = _manifest(build_dir).get("faces", {})
    out = []
    for face in FACES:
        path = build_dir / face.filename
        entry = recorded.get(face.key)
        if entry and entry.get("version") == BUILD_VERSION and path.is_file():
            out.append((face, path))
    return out


def _subset(source: str, index: int, target: str, beyond_gb2312: bool = False) -> None:
    """Cut one face down to :func:`charset`, or to the rest of its characters when
    ``beyond_gb2312``, as TrueType (runs in a worker process: ~35 s, ~1 GB; ~90 s the rest)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, fontNumber=index, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL 1.1) records
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # WeasyPrint drops hints when it embeds (hinting=False) anyway
    options.desubroutinize = True  # quicker to build; HarfBuzz re-subsets at render time
    subsetter = subset.Subsetter(options)
    wanted = {ord(c) for c in charset()}
    if beyond_gb2312:
        wanted = set(font.getBestCmap()) - wanted
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    _to_truetype(font)
    tmp = f"{target}.tmp{os.getpid()}"
    font.save(tmp)
    os.replace(tmp, target)


def _to_truetype(font) -> None:
    """Replace the CFF outlines by quadratic ``glyf`` ones, in place (fontTools' otf2ttf recipe).

    Glyph order, advance widths, cmap and the layout tables stay as they are, so the text is
    laid out exactly as before. The vertical metrics go: letters are set horizontally only.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        # TrueType contours run clockwise, CFF ones counter-clockwise: reverse them.
        glyph_set[name].draw(Cu2QuPen(pen, CURVE_TOLERANCE, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG", "vhea", "vmtx"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        # TrueType wants the left side bearing equal to the outline's xMin.
        hmtx[name] = (hmtx[name][0], getattr(glyph, "xMin", 0))
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    font["post"].formatType = 3.0  # no glyph names: the text is found through cmap and ToUnicode
    font.sfntVersion = "\0\1\0\0"


def build(
    build_dir: Path = BUILD_DIR, *, force: bool = False, log=print, jobs: int | None = None
) -> list[Path]:
    """Write the pre-subset faces that are missing or stale; quick when all are up to date.

    Raises FontMissingError when the body face is not installed (nothing to cut from).
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(build_dir)
    recorded = manifest.get("faces", {})
    todo: list[tuple[Face, SystemFace]] = []
    stamps: dict[str, dict] = {}
    for face in FACES:
        source = find_face(face.family, face.weight)
        if source is None:
            if face.family == BODY_FAMILY and face.weight == 400:
                raise FontMissingError(_missing_message([face.family]))
            log(f"skipped {face.key}: {face.family} weight {face.weight} is not installed")
            continue
        stamps[face.key] = _source_stamp(source)
        target = build_dir / face.filename
        if force or recorded.get(face.key) != stamps[face.key] or not target.is_file():
            todo.append((face, source))
    if not todo:
        log(f"fonts up to date in {build_dir}")
        return [build_dir / f.filename for f, _ in built_faces(build_dir)]

    workers = max(1, min(len(todo), jobs or os.cpu_count() or 1))
    todo.sort(key=lambda item: not item[0].beyond_gb2312)  # the longest job first
    log(f"subsetting {', '.join(f.key for f, _ in todo)} ({workers} at a time)…")
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            (
                face,
                pool.submit(
                    _subset, src.path, src.index, str(build_dir / face.filename), face.beyond_gb2312
                ),
            )
            for face, src in todo
        ]
        for face, future in futures:
            future.result()
            recorded[face.key] = stamps[face.key]
            log(f"built {build_dir / face.filename}")
    manifest["faces"] = {k: v for k, v in recorded.items() if k in stamps}
    for old in build_dir.glob("*-gb2312.otf"):
        old.unlink()  # the CFF copies of builds before version 2, no longer loaded
    tmp = build_dir / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, build_dir / MANIFEST)
    return [build_dir / f.filename for f, _ in built_faces(build_dir)]


def font_face_css(build_dir: Path = BUILD_DIR) -> str:
    """@font-face rules for the pre-subset faces that are built; empty when none is."""
    rules = []
    for face, path in built_faces(build_dir):
        rules.append(
            "@font-face { "
            f'font-family: "{face.css_family}"; font-weight: {face.weight}; '
            f'font-style: normal; src: url("{path.as_uri()}"); }}'
        )
    return "\n".join(rules)


# --- the start-up check -----------------------------------------------------------------------


def _missing_message(families: Iterable[str]) -> str:
    names = "、".join(f"“{f}”" for f in families)
    return (
        f"未找到中文字体 {names}：公文 PDF 中的汉字将无法显示。"
        "请安装 fonts-noto-cjk（例如 sudo apt-get install fonts-noto-cjk）后重新运行 make install。\n"
        f"No CJK font found ({', '.join(families)}): Chinese text in the letters would print as "
        "boxes. Install the Debian package fonts-noto-cjk, then run `make install` again."
    )


def check_fonts(
    families: Sequence[str] = (BODY_FAMILY,), *, build_dir: Path | None = BUILD_DIR
) -> FontReport:
    """Make sure the letters can be set in a real CJK face; raise FontMissingError if not.

    The app calls this at start-up. ``families`` are the acceptable system families for the body
    text, ``build_dir`` the pre-subset faces (``None`` to ignore them); either one suffices.
    """
    body = next((f for f in map(find_face, families) if f is not None), None)
    presubset = tuple(face.key for face, _ in built_faces(build_dir)) if build_dir else ()
    if body is None and "serif-regular" not in presubset:
        raise FontMissingError(_missing_message(families))
    missing = []
    if find_face(BODY_FAMILY, 700) is None and "serif-bold" not in presubset:
        missing.append(f"{BODY_FAMILY} Bold")
    if find_face(HEADING_FAMILY) is None and "sans-regular" not in presubset:
        missing.append(HEADING_FAMILY)
    return FontReport(body=body, presubset=presubset, missing=tuple(missing))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.pdf.fonts", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="write the pre-subset faces (idempotent)")
    make.add_argument("--force", action="store_true", help="rebuild even if up to date")
    make.add_argument("--quiet", action="store_true", help="print only errors")
    make.add_argument("--dir", type=Path, default=BUILD_DIR, help="output folder")
    commands.add_parser("check", help="report the faces letters will use")
    args = parser.parse_args(argv)

    try:
        if args.command == "build":
            log = (lambda *a, **k: None) if args.quiet else print
            build(args.dir, force=args.force, log=log)
        else:
            report = check_fonts()
            print(f"body face: {report.body.path if report.body else '(none)'}")
            print(f"pre-subset faces: {', '.join(report.presubset) or '(none, run build)'}")
            if report.missing:
                print(f"optional faces missing: {', '.join(report.missing)}")
    except FontMissingError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
