"""Every page of every role on a 375 px phone: no sideways scroll, text large enough to read
(18 px on the owner's and the signing pages, 16 px elsewhere), tap targets of 44 px, axe-core
without a serious or critical violation, and no raw key of the machine in the visible text.

The pages are those a crawl of the demo data reaches (tests/site_pages.py), one of each kind.
"""

from __future__ import annotations

import re
import threading

import pytest
from werkzeug.serving import make_server

from workflow.demo.seed import PASSWORD
from workflow.process.machine import TRANSITION
from workflow.process.states import STATE

from ..site_pages import ROLES, crawl, demo_app, representatives
from .conftest import no_horizontal_scroll

EVENT_KINDS = {
    "case_created", "case_updated", "costs_set", "vote", "objection", "objection_resolved",
    "upload", "opinion", "settings_changed", "holiday_set", "holiday_removed", "user_created",
    "user_updated", "objection_withdrawn", "mediation_referred", "mediation_session",
    "mediation_outcome", "rating_rectified", "rating_followup",
}  # fmt: skip
RAW_KEYS = re.compile(
    r"(?<![\w/.-])("
    + "|".join(sorted({*TRANSITION, *STATE, *EVENT_KINDS}, key=len, reverse=True))
    + r")(?![\w/.-])"
)

SMALL_TEXT = """(minimum) => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('title, desc, style, script')) continue;
    const svg = el instanceof SVGElement ? el.ownerSVGElement : null;
    if (!svg && !el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // visually hidden, for screen readers
    let size = parseFloat(getComputedStyle(el).fontSize);
    if (svg && svg.viewBox.baseVal && svg.viewBox.baseVal.width)  // SVG text scales with its box
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    if (size < minimum) out.push(size + 'px ' + el.tagName + ' ' + node.textContent.trim().slice(0, 24));
  }
  return out;
}"""

SMALL_TARGETS = """() => {
  const out = [];
  for (let e of document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!e.offsetParent) continue;
    if (e.matches('a.skip')) continue;  // shown only on keyboard focus
    const label = e.closest('label');
    if (label) e = label;  // a radio's or checkbox's tap target is its whole label
    // A link inside a sentence may stay the sentence's height (WCAG 2.5.8, inline exception).
    if (e.tagName === 'A' && e.parentElement && e.parentElement.innerText.trim().length > e.innerText.trim().length + 2
        && getComputedStyle(e).display === 'inline') continue;
    const r = e.getBoundingClientRect();
    if (r.height < 44 || r.width < 44)
      out.push(Math.round(r.width) + 'x' + Math.round(r.height) + ' ' + e.outerHTML.slice(0, 70));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo data served on a local port, and the pages worth a look, by role."""
    app = demo_app(tmp_path_factory.mktemp("demo-site"))
    pages = representatives(crawl(app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", pages
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["jiati"].db.dispose()


def _problems(page, path: str, minimum: int, axe) -> list[str]:
    page.wait_for_load_state("load")
    found = []
    if not no_horizontal_scroll(page):
        found.append("sideways scroll")
    found += [f"text under {minimum}px: {t}" for t in page.evaluate(SMALL_TEXT, minimum)[:5]]
    found += [f"tap target under 44px: {t}" for t in page.evaluate(SMALL_TARGETS)[:5]]
    text = re.sub(r"https?://\S+", "", page.locator("body").inner_text())
    found += [f"raw key in the text: {k}" for k in sorted(set(RAW_KEYS.findall(text)))]
    results = axe.run(page)
    found += [
        f"axe {v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    return [f"{path}: {p}" for p in found]


@pytest.mark.parametrize("role", [*ROLES, None], ids=lambda r: r or "public")
def test_every_page_of_the_role_fits_a_phone(browser, demo_site, role, shot):
    from axe_playwright_python.sync_playwright import Axe

    base, pages = demo_site
    mine = [p for p in pages if p.role == role]
    assert mine, f"the crawl found no page for {role}"
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    if role:
        page.goto(base + "/auth/login")
        page.get_by_label("手机号或用户名").fill(role)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("load")
    axe, problems = Axe(), []
    for i, p in enumerate(mine):
        response = page.goto(base + p.path)
        assert response.status == 200, f"{p.path}: HTTP {response.status}"
        owner = p.role is not None and p.role.isdigit() or p.path.startswith("/sign/")
        problems += _problems(page, p.path, 18 if owner else 16, axe)
        shot(page, f"{i:02d}-" + re.sub(r"\W+", "-", p.kind).strip("-"))
    context.close()
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)
