"""Letters: one page against the same page in Latin text, a hundred at once, and a batch PDF.

The Latin twin is the floor: the same template, layout and QR code with every CJK character
replaced by two Latin letters (about the same width), set in DejaVu Serif only (the CJK stack
left out of the stylesheet), so the ratio is what Chinese costs — font lookup, shaping and
subsetting of the CJK faces.

Both are timed from the finished HTML to the PDF bytes, after a warm-up, in one process with
the app's one reused FontConfiguration. The full ``render_letter`` (template and QR code
included) is timed too, for reference.
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import time
from collections.abc import Callable

from web.pdf import fonts, render, samples

from .common import Row, ms, summary, times

# Han (with extensions A–G and compatibility ideographs), CJK punctuation, full-width forms.
CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003134f]"
)
LATIN = "elevatorletterdecisionapprovalnotice"


def one_page_decision() -> dict:
    """A short decision: the building, one reason, the appeal paragraph (with the GB/T 9704
    margins its last lines and the seal fall on a second page)."""
    context = samples.letter("rejection_decision")
    context.update(owners=[], quorum=None, opinions=[])
    context["reasons"] = "电梯井道占用小区消防车通道，不符合消防安全要求"
    return context


# Appended after the letter's own stylesheet: every element in the one Latin face.
LATIN_ONLY = (
    "<style>*, *::before, *::after { font-family: 'DejaVu Serif' !important; }"
    "@page letter:right { @bottom-right { font-family: 'DejaVu Serif' } }"
    "@page letter:left { @bottom-left { font-family: 'DejaVu Serif' } }</style>"
)


def latinize(html: str) -> str:
    """Every CJK character replaced by two Latin letters, markup left alone, and the page set
    in DejaVu Serif alone."""
    counter = iter(range(sys.maxsize))

    def two_letters(_match: re.Match) -> str:
        i = next(counter) * 2 % len(LATIN)
        return (LATIN + LATIN)[i : i + 2]

    latin = CJK.sub(two_letters, html)
    return (
        latin.replace("</head>", LATIN_ONLY + "</head>", 1)
        if "</head>" in latin
        else (LATIN_ONLY + latin)
    )


def median_seconds(work: Callable[[], bytes], runs: int, warmup: int) -> tuple[float, bytes]:
    for _ in range(warmup):
        work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), pdf


def pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def hundred(context: dict, n: int = 100) -> list[dict]:
    """Freshly issued letters: the same page with its own number and verification code."""
    out = []
    for i in range(n):
        c = dict(context)
        c["number"] = f"枣阳住建梯驳〔2026〕{i + 1}号"
        c["verify_code"] = f"BENCH{i:05d}"
        out.append(c)
    return out


def run(runs: int = 15, warmup: int = 3, many: int = 100) -> list[Row]:
    from web.pdf import batch
    from web.pdf.engine import PDF_VARIANT, html_to_pdf

    report = fonts.check_fonts()
    print(
        f"  faces: pre-subset {', '.join(report.presubset) or 'none (run make install)'};"
        f" fallback {report.body.path if report.body else 'none'}",
        flush=True,
    )
    context = one_page_decision()
    cjk_html = render.letter_html(context, for_pdf=True)
    latin_html = latinize(cjk_html)
    assert not CJK.search(latin_html)
    # Interleaved: Chinese, Latin, Chinese, … so that load on the machine hits both alike.
    for _ in range(warmup):
        html_to_pdf(cjk_html), html_to_pdf(latin_html)
    # The letters are tagged PDF/A-2a; the untagged render of the same page is what that costs.
    cjk_t, latin_t, plain_t = [], [], []
    for _ in range(runs):
        cjk_t += times(lambda: html_to_pdf(cjk_html), 1, warmup=0)
        latin_t += times(lambda: html_to_pdf(latin_html), 1, warmup=0)
        plain_t += times(lambda: html_to_pdf(cjk_html, variant=None), 1, warmup=0)
    plain_pdf = html_to_pdf(cjk_html, variant=None)
    cjk_pdf, latin_pdf = html_to_pdf(cjk_html), html_to_pdf(latin_html)
    n_pages = pages(cjk_pdf)
    ratio = statistics.median(cjk_t) / statistics.median(latin_t)
    kib = len(cjk_pdf) / 1024
    rows = [
        Row(
            f"one letter ({n_pages} page{'s' if n_pages > 1 else ''}): time",
            summary(cjk_t) + f" = {ratio:.2f}× the floor",
            "≤ 1.5× floor",
            ratio <= 1.5,
            floor=f"DejaVu Serif only {summary(latin_t)}",
        ),
        Row(
            f"{PDF_VARIANT} against untagged: time",
            f"{(statistics.median(cjk_t) / statistics.median(plain_t) - 1) * 100:+.0f}% "
            f"(untagged {summary(plain_t)})",
            "what archiving costs (informational)",
            None,
        ),
        Row(
            f"{PDF_VARIANT} against untagged: size",
            f"{(len(cjk_pdf) / len(plain_pdf) - 1) * 100:+.0f}% "
            f"(untagged {len(plain_pdf) / 1024:.1f} KiB)",
            "informational",
            None,
        ),
        Row(
            "one letter: size",
            f"{kib:.1f} KiB",
            "≤ 60 KiB",
            kib <= 60,
            floor=f"DejaVu Serif only {len(latin_pdf) / 1024:.1f} KiB",
        ),
    ]

    letters = hundred(context, many)
    latin_pages = [latinize(render.letter_html(c, for_pdf=True)) for c in letters]
    cores = batch.workers()
    serial = times(lambda: [render.render_letter(c) for c in letters[:20]], 1, warmup=0)[0] * (
        many / 20
    )
    par = times(lambda: batch.render_letters(letters), 1, warmup=0)[0]
    floor = times(lambda: batch._pool_map(html_to_pdf, latin_pages, cores), 1, warmup=0)[0]
    rows.append(
        Row(
            f"{many} fresh letters rendered ({cores} processes)",
            f"{ms(par)} ({ms(par / many)} each; one process ≈ {ms(serial)})"
            f" = {par / floor:.2f}× the floor",
            "≤ 1.5× floor, under 5 s where the floor allows",
            par / floor <= 1.5 and (par < 5 or floor >= 5 / 1.5),
            floor=f"{many} DejaVu Serif pages {ms(floor)}",
        )
    )

    start = time.perf_counter()
    merged = batch.batch_pdf(letters)
    took = time.perf_counter() - start
    joined = _joined(batch.render_letters(letters))
    mib = len(merged) / 2**20
    rows.append(
        Row(
            f"{many} letters as one batch PDF",
            f"{ms(took)}, {mib:.2f} MiB (stored letters joined: {len(joined) / 2**20:.1f} MiB)",
            "under 2 MiB, fonts shared",
            mib < 2,
        )
    )
    return rows


def _joined(pdfs: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for pdf in pdfs:
        writer.append(PdfReader(io.BytesIO(pdf)))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
