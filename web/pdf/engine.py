"""The WeasyPrint side of rendering: HTML in, PDF bytes out.

Imported only when a PDF is made (``import weasyprint`` costs ~0.4 s). One FontConfiguration is
kept for the life of the process, so the pre-subset faces are registered with fontconfig once;
renders are serialised because that configuration and Pango's font map are shared state.

Only our own templates are rendered, and they may load nothing but our static files, the
pre-subset faces and ``data:`` URIs: an owner's name or an objection's text can never make the
renderer read a local file or reach the network.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .fonts import BUILD_DIR, font_face_css

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STYLESHEET = STATIC_DIR / "print.css"
ALLOWED_DIRS = (STATIC_DIR, BUILD_DIR)

# PDF/A-2a (ISO 19005-2, level A): an archival format for records kept for the long term
# (GB/T 18894), and level A requires what a screen reader needs: a tagged structure in reading
# order, the document's language and Unicode text for every glyph. WeasyPrint's "pdf/ua-1" writes
# the same tags, /Lang and /DisplayDocTitle but no PDF/A identification or output intent, and
# "pdf/a-3a" differs from 2a only in allowing embedded files, which a letter never carries.
# Changing this changes new letters only: issued letters are served from their stored bytes.
PDF_VARIANT = "pdf/a-2a"


class RefusedURL(ValueError):
    """A template asked for a resource outside our static files and data: URIs."""


def is_allowed(url: str, allowed_dirs: tuple[Path, ...] = ALLOWED_DIRS) -> bool:
    """data: URIs, and file: URLs inside the allowed folders (after resolving symlinks)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(folder.resolve()) for folder in allowed_dirs)


class OwnFilesFetcher(URLFetcher):
    """WeasyPrint's fetcher, refusing every URL that :func:`is_allowed` does not accept."""

    def __init__(self, allowed_dirs: tuple[Path, ...] = ALLOWED_DIRS):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self._allowed_dirs = allowed_dirs

    def fetch(self, url, headers=None):
        if not is_allowed(url, self._allowed_dirs):
            raise RefusedURL(f"refused to fetch {url[:80]!r}: only our static files and data:")
        return super().fetch(url, headers)


_lock = threading.Lock()


def _fresh_lock() -> None:
    # A worker forked for batch rendering starts with the lock free, whoever held it then.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock)
_fetcher = OwnFilesFetcher()
_font_config: FontConfiguration | None = None
_stylesheet: weasyprint.CSS | None = None


def _prepared() -> tuple[FontConfiguration, weasyprint.CSS]:
    """The FontConfiguration and the parsed print stylesheet, made once per process.

    Parsing print.css and registering the @font-face files takes longer than laying out a
    one-page letter, so both are kept; a new build of the faces is seen after a restart.
    """
    global _font_config, _stylesheet
    if _font_config is None or _stylesheet is None:
        config = FontConfiguration()
        css = font_face_css(BUILD_DIR) + "\n" + STYLESHEET.read_text(encoding="utf-8")
        _stylesheet = weasyprint.CSS(
            string=css,
            base_url=STATIC_DIR.as_uri() + "/",
            url_fetcher=_fetcher,
            font_config=config,
        )
        _font_config = config
    return _font_config, _stylesheet


def html_to_pdf(html: str, variant: str | None = PDF_VARIANT) -> bytes:
    """Render the HTML of one of our templates (made ``for_pdf``) to PDF with print.css.

    ``variant`` is WeasyPrint's ``pdf_variant`` (``None``: plain, untagged PDF, for comparison).

    The output depends only on the HTML: WeasyPrint writes no clock time (the creation date
    comes from the template's dcterms.created meta) and no random file identifier, and names
    font subsets by their font, so the same context gives the same bytes.
    """
    with _lock:
        config, stylesheet = _prepared()
        document = weasyprint.HTML(
            string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher
        )
        options = {"pdf_variant": variant} if variant else {}
        return document.write_pdf(stylesheets=[stylesheet], font_config=config, **options)


def htmls_to_pdf(htmls: list[str]) -> bytes:
    """Several of our documents laid out one after the other into one PDF: the pages of all are
    written together, so each face is embedded once, subset for every page (batch printing)."""
    with _lock:
        config, stylesheet = _prepared()
        rendered = [
            weasyprint.HTML(
                string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_fetcher
            ).render(stylesheets=[stylesheet], font_config=config)
            for html in htmls
        ]
        pages = [page for document in rendered for page in document.pages]
        return rendered[0].copy(pages).write_pdf()
