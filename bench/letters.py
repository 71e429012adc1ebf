"""Median render time of a one-page decision letter against the same letter in Latin text.

The Latin twin is the floor: the same template, layout and QR code with every CJK character
replaced by two Latin letters (about the same width), so the ratio is what Chinese costs —
font lookup, shaping and subsetting of the CJK faces. Target: ratio ≤ 3 (issue 6).

Both are timed from the finished HTML to the PDF bytes, after a warm-up, in one process with
the app's one reused FontConfiguration. The full ``render_letter`` (template and QR code
included) is timed too, for reference.
"""

from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
from collections.abc import Callable

from web.pdf import fonts, render, samples

# Han (with extensions A–G and compatibility ideographs), CJK punctuation, full-width forms.
CJK = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\U00020000-\U0003134f]"
)
LATIN = "elevatorletterdecisionapprovalnotice"


def one_page_decision() -> dict:
    """A decision that fits one A4 page: the building, one reason, the appeal paragraph."""
    context = samples.letter("rejection_decision")
    context.update(owners=[], quorum=None, opinions=[])
    context["reasons"] = "电梯井道占用小区消防车通道，不符合消防安全要求"
    return context


def latinize(html: str) -> str:
    """Every CJK character replaced by two Latin letters, markup left alone."""
    counter = iter(range(sys.maxsize))

    def two_letters(_match: re.Match) -> str:
        i = next(counter) * 2 % len(LATIN)
        return (LATIN + LATIN)[i : i + 2]

    return CJK.sub(two_letters, html)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)

    from web.pdf.engine import html_to_pdf

    report = fonts.check_fonts()
    context = one_page_decision()
    cjk_html = render.letter_html(context, for_pdf=True)
    latin_html = latinize(cjk_html)
    assert not CJK.search(latin_html)

    cjk, cjk_pdf = median_seconds(lambda: html_to_pdf(cjk_html), args.runs, args.warmup)
    latin, latin_pdf = median_seconds(lambda: html_to_pdf(latin_html), args.runs, args.warmup)
    full, _ = median_seconds(lambda: render.render_letter(context), args.runs, 1)
    ratio = cjk / latin
    if pages(cjk_pdf) != 1:
        print("warning: the decision letter no longer fits one page", file=sys.stderr)

    print("Letter rendering (WeasyPrint, HTML → PDF), median of", args.runs, "runs after warm-up")
    print(
        f"  faces: pre-subset {', '.join(report.presubset) or 'none (run make install)'};"
        f" fallback {report.body.path if report.body else 'none'}"
    )
    print(
        f"  {'one-page decision letter (Chinese)':<40} {cjk * 1000:8.1f} ms"
        f"  {len(cjk_pdf) / 1024:7.1f} KiB  {pages(cjk_pdf)} page(s)"
    )
    print(
        f"  {'same letter, CJK replaced by Latin':<40} {latin * 1000:8.1f} ms"
        f"  {len(latin_pdf) / 1024:7.1f} KiB  {pages(latin_pdf)} page(s)"
    )
    print(f"  {'ratio Chinese / Latin (target ≤ 3)':<40} {ratio:8.2f}")
    print(f"  {'render_letter() incl. template and QR':<40} {full * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
