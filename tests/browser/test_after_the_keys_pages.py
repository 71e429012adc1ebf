"""The elevator register, the inspection link, the installers' record and the admin's bar page
on a 375 px phone, with the demo's data: no sideways scroll, readable text, 44 px targets,
axe-core without a serious or critical violation."""

from __future__ import annotations

import pytest

from workflow.demo.seed import PASSWORD

from .test_every_page import _problems, demo_site  # noqa: F401 - the demo served once

PAGES = {
    "clerk": ("/staff/elevators", "/staff/elevators/"),
    "admin": ("/admin/installers",),
    "13800000001": ("/costs",),
    None: ("/installers", "/elevator/"),
}


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "public")
def test_after_the_keys_pages_fit_a_phone(browser, demo_site, role):  # noqa: F811
    base, pages = demo_site
    mine = [p for p in pages if p.role == role and any(k in p.path for k in PAGES[role])]
    assert mine, f"the crawl reached none of {PAGES[role]}"
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
    from axe_playwright_python.sync_playwright import Axe

    axe, problems = Axe(), []
    for p in mine:
        response = page.goto(base + p.path)
        assert response.status == 200, f"{p.path}: HTTP {response.status}"
        owner = role is not None and role.isdigit()
        problems += _problems(page, p.path, 18 if owner else 16, axe)
    context.close()
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)
