"""Browser tests: Debian's Chromium driven by Playwright against the app served in a thread.

Homeowner journeys run at a phone's 375×812; staff pages at a desk's 1280×900.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..conftest import migrate
from ..journey import Clock, Journey, make_people

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    chromium = shutil.which("chromium")
    if chromium is None:
        reason = "Debian's chromium is not installed (make install installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return {"executable_path": chromium, "args": CHROMIUM_ARGS, "headless": True}


class LiveServer:
    def __init__(self, app, url: str, clock: Clock):
        self.app, self.url, self.clock = app, url, clock

    @property
    def rt(self):
        return self.app.extensions["jiati"]


@pytest.fixture
def live_server(tmp_path):
    """The app on a free local port: SQLite migrated by Alembic, real CSRF, real PDFs."""
    from web import create_app

    instance = tmp_path / "instance"
    instance.mkdir()
    url_db = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    os.environ["ELEVATOR_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(
            {
                "SECRET_KEY": "browser-tests",
                "DATABASE_URL": url_db,
                "FILES_DIR": str(tmp_path / "files"),
                "PUBLICITY_DAYS": 0,
                "DEMO_SHORT_PUBLICITY": True,
                "RENDER_PDF": True,
                # A journey logs several people in within a minute from one address.
                "RATELIMIT_ENABLED": False,
                # Jobs run as they are scheduled, through the same huey tasks and locks: a
                # consumer thread would run the periodic work behind the other tests' backs.
                "QUEUE_IMMEDIATE": True,
            }
        )
    finally:
        os.environ.pop("ELEVATOR_INSTANCE_PATH", None)
    migrate(url_db)
    clock = Clock()
    app.extensions["jiati"].clock = clock
    # A free port, or a fixed one where the machine's ports are shared out (BROWSER_TEST_PORT).
    server = make_server(
        "127.0.0.1", int(os.environ.get("BROWSER_TEST_PORT", 0)), app, threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveServer(app, f"http://127.0.0.1:{server.server_port}", clock)
    rt = app.extensions["jiati"]
    rt.settings = replace(rt.settings, public_base_url=live.url)  # QR codes point here
    yield live
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["jiati"].db.dispose()


@pytest.fixture
def live_people(live_server):
    return make_people(live_server.rt)


@pytest.fixture
def live_journey(live_server, live_people) -> Journey:
    return Journey(live_server.rt, live_people)


@pytest.fixture
def page(browser, request):
    phone = request.node.name.startswith("test_homeowner")
    context = browser.new_context(
        viewport={"width": 375, "height": 812} if phone else {"width": 1280, "height": 900},
        device_scale_factor=1,
        locale="zh-CN",
        is_mobile=phone,
        has_touch=phone,
    )
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def shot(request):
    """Save a screenshot of the page under test-artifacts/screenshots/<test>/<name>.png."""
    folder = ARTIFACTS / re.sub(r"[^\w.\[\]-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe_check():
    """Fail on any serious or critical axe-core violation of the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page) -> None:
        results = axe.run(page)
        bad = [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]
        assert not bad, "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(
                n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                for n in v["nodes"][:5]
            )
            for v in bad
        )

    return check


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


class Interactions:
    """What a person does on one page (tab): taps (trusted clicks, a file picker opened) and
    page loads (main-frame document navigations, reloads included)."""

    def __init__(self, page):
        self.taps = 0
        self.loads = 0
        self.tapped: list[str] = []
        self.paused = False
        page.context.expose_binding("__jiatiTap", self._tap)
        page.add_init_script(
            "document.addEventListener('click', e => { if (e.isTrusted) window.__jiatiTap("
            "(e.target.innerText || e.target.value || e.target.tagName || '').trim().slice(0, 20)"
            "); }, true);"
            "document.addEventListener('change', e => { if (e.target.type === 'file')"
            " window.__jiatiTap('file: ' + e.target.name); }, true);"
        )
        page.on("load", self._load)

    def _tap(self, _source, what):
        if not self.paused:
            self.taps += 1
            self.tapped.append(what)

    def _load(self, _page):
        if not self.paused:
            self.loads += 1

    @contextmanager
    def aside(self):
        """A detour the count leaves out: a mistake made on purpose, a look at another page."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False


@pytest.fixture
def interactions():
    return Interactions
