"""The renderer reads nothing but our static files, the built faces and data: URIs."""

from __future__ import annotations

import base64

import pytest

from web.pdf import engine, samples
from web.pdf.fonts import BUILD_DIR

from . import pdfcheck

PNG = base64.b64encode(samples.notice_photo_png(8, 8)).decode()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        f"file://{engine.STATIC_DIR}/../../pyproject.toml",
        "http://127.0.0.1:5000/static/print.css",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "file://evil.example.com/share/x.png",
    ],
)
def test_urls_outside_our_files_are_refused(url):
    assert not engine.is_allowed(url)
    with pytest.raises(engine.RefusedURL):
        engine.OwnFilesFetcher().fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        f"data:image/png;base64,{PNG}",
        (engine.STATIC_DIR / "print.css").as_uri(),
        (BUILD_DIR / "serif-regular-gb2312.ttf").as_uri(),
    ],
)
def test_data_uris_and_our_files_are_allowed(url):
    assert engine.is_allowed(url)


def test_a_template_cannot_pull_in_a_local_file(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(samples.notice_photo_png(40, 40))
    html = f'<html lang="zh-CN"><body class="document"><img src="{secret.as_uri()}"></body></html>'
    path = pdfcheck.write(tmp_path, engine.html_to_pdf(html))
    from pypdf import PdfReader

    assert [img for page in PdfReader(str(path)).pages for img in page.images] == []
