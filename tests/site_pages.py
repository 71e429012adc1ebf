"""Every page of every demo role: a crawler over the demo data, shared by the HTML validity
test and the browser tests at phone size.

Each role logs in and follows the links its pages offer (GET only, same site, HTML only);
signing links, public notices and letter checks are visited by nobody logged in, as the
public meets them. Several cases in one state show one page: `representatives` keeps one
page per kind of page and state, so the browser visits each look once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from workflow.demo.seed import PASSWORD

from .conftest import migrate

ROLES = (
    "13800000001", "13800000002", "clerk", "housing", "planning", "market", "admin", "mediator3",
)  # fmt: skip
PUBLIC_PREFIXES = (
    "/sign/", "/notice/", "/n/", "/verify", "/auth/welcome", "/auth/register", "/ratings", "/elevator/",
    "/installers",
)  # fmt: skip
# Pages that are not HTML for reading, or change what they look at.
SKIP = re.compile(r"^/(auth/logout|static/)|\.pdf$|/download|[?&]lang=")
LINK = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"', re.I)
PUBLIC_TEXT = re.compile(r"(?<=localhost)(/(?:notice|verify)/[0-9A-Za-z_-]+)")
STATE = re.compile(r'class="badge[^"]*\bstate-(\w+)"')
TOKEN = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*\bvalue="([^"]+)"')


def demo_app(folder: Path) -> Any:
    """The app on a fresh SQLite database in `folder` with the demo loaded, configured as in
    production: CSRF tokens in every form, jobs run, letters rendered. A page with several
    forms then shows all their tokens, which is where repeated ids would hide."""
    from web import create_app
    from workflow.demo.seed import load

    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    os.environ["ELEVATOR_INSTANCE_PATH"] = str(folder)
    try:
        app = create_app(
            {
                "SECRET_KEY": "every-page-of-the-demo",
                "DATABASE_URL": url,
                "FILES_DIR": str(folder / "files"),
                # Jobs as they are scheduled (letters, messages), no consumer thread behind the
                # crawl's back; everything else as production has it.
                "QUEUE_IMMEDIATE": True,
            }
        )
    finally:
        os.environ.pop("ELEVATOR_INSTANCE_PATH", None)
    migrate(url)
    load(app.extensions["jiati"])
    stand_in_for_the_clerk(app.extensions["jiati"])
    return app


def stand_in_for_the_clerk(rt: Any) -> None:
    """The demo's second clerk away this week with the demo's clerk standing in (代理): the
    clerk's absence page then shows whom they stand in for, and the form with a colleague to
    name."""
    from datetime import timedelta

    from sqlalchemy import select

    from workflow import services
    from workflow.data.models import User

    with rt.db.session() as s:
        away = s.scalar(select(User.id).where(User.username == "clerk2"))
    today = rt.clock().date()
    services.set_absence(rt, away, today, today + timedelta(days=4), "clerk")


@dataclass(frozen=True)
class Page:
    role: str | None  # the username logged in, None for the public
    path: str
    html: str

    @property
    def kind(self) -> str:
        """The page with numbers and tokens taken out, plus the case's state where it shows."""
        shape = re.sub(r"/[0-9A-Za-z_-]{16,}", "/T", re.sub(r"\d+", "N", self.path))
        who = "owner" if self.role and self.role.isdigit() else self.role
        path, _, query = self.path.partition("?")
        if query and path in ("/staff/", "/staff/review"):  # a queue under any filter: one look
            return f"{who}:{path}?filtered"
        if re.fullmatch(r"/(my|staff)/cases/N", shape):  # the case page: one look per state
            state = STATE.search(self.html)
            return f"{who}:{shape}:{state.group(1) if state else ''}"
        # Its sub-pages: one look while they take input, one while they only show.
        takes_input = 'method="post"' in self.html.split("</header>", 1)[-1]
        return f"{who}:{shape}:{'form' if takes_input else 'read'}"


def _links(path: str, html: str) -> Iterator[str]:
    for href in LINK.findall(html):
        href = urldefrag(urljoin("http://localhost" + path, href.replace("&amp;", "&")))[0]
        parts = urlsplit(href)
        if parts.netloc not in ("localhost", "127.0.0.1", "") and not parts.netloc.startswith(
            "127.0.0.1:"
        ):
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(local):
            yield local


def _crawl(client, start: str, role: str | None, seen: set[str], public: list[str]) -> list[Page]:
    pages, queue = [], [start]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        if role and path.startswith(PUBLIC_PREFIXES):
            public.append(path)
            continue
        seen.add(path)
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        landed = response.request.full_path.rstrip("?")
        if landed != path:  # redirected: the page it landed on counts once
            if landed in seen:
                continue
            seen.add(landed)
            path = landed
        html = response.get_data(as_text=True)
        pages.append(Page(role, path, html))
        public += PUBLIC_TEXT.findall(html)  # printed for the public, not linked
        queue += [p for p in _links(path, html) if p not in seen]
    return pages


def log_in(client, username: str) -> None:
    """Log in as a browser does: the login form's CSRF token posted back with the password."""
    page = client.get("/auth/login").get_data(as_text=True)
    token = TOKEN.search(page)
    assert token, "the login page offers no CSRF token"
    response = client.post(
        "/auth/login",
        data={"csrf_token": token.group(1), "username": username, "password": PASSWORD},
    )
    assert response.status_code == 302, f"{username} could not log in"


def crawl(app) -> list[Page]:
    """Every HTML page each demo role reaches from its start page, and the public's."""
    pages: list[Page] = []
    public: list[str] = [
        "/auth/welcome",
        "/auth/login",
        "/auth/register",
        "/verify",
        "/installers",
        "/ratings",
    ]
    for role in ROLES:
        client = app.test_client()
        log_in(client, role)
        pages += _crawl(client, "/", role, set(), public)
    public += [f"/verify/{code}" for code in _verify_codes(app)[:1]]
    anonymous = app.test_client()
    seen: set[str] = set()
    for path in public:
        pages += _crawl(anonymous, path, None, seen, [])
    return pages


def _verify_codes(app) -> list[str]:
    """A letter's check code is printed on paper, never linked: read one from the register."""
    from sqlalchemy import select

    from workflow.data.models import Letter

    with app.extensions["jiati"].db.session() as s:
        return list(s.scalars(select(Letter.verify_code).order_by(Letter.id)))


def representatives(pages: list[Page]) -> list[Page]:
    """One page of each kind (see Page.kind), in crawl order."""
    kinds: dict[str, Page] = {}
    for p in pages:
        kinds.setdefault(p.kind, p)
    return list(kinds.values())
