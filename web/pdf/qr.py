"""The verification QR code printed on every letter.

Always a full QR code (``segno.make_qr``): ``segno.make`` picks a Micro QR for short data, which
phone cameras do not read. Drawn as inline SVG so WeasyPrint keeps it as vectors, sharp at any
printer resolution.
"""

from __future__ import annotations

import segno


def qr_svg(url: str) -> str:
    """Inline ``<svg>`` markup for ``url``, sized by CSS (no width/height of its own).

    Error correction M survives a fold or a stamp across a corner; the 4-module quiet zone is
    part of the drawing so the code scans even when printed against other marks. The ``<title>``
    becomes the figure's alternate text in the tagged PDF: a screen reader says what the code
    holds instead of skipping an unnamed picture.
    """
    if not url:
        raise ValueError("verify_url is empty: a letter needs its verification address")
    code = segno.make_qr(url, error="m")
    return code.svg_inline(
        scale=1, border=4, omitsize=True, svgclass="qr", lineclass=None, title=f"核验二维码：{url}"
    )
