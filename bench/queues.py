"""Every staff queue and list page of every role, through the app, against its floor.

Each page is viewed as at a working office, where other desks keep working: before every view
one event is appended to the audit log (not timed), so nothing the app keeps "until the log
grows" (a queue's count, the communities, the statistics) is still warm. Each view is followed
at once by a view of the floor: a bare Flask + SQLAlchemy Core page in the same process that
reads the 20 oldest cases waiting at the window by the (state, updated_at, id) index and
prints them in a plain template — no session, login, roles, Babel, layout or deadlines. The
page's figure is its p95 over the runs (target: under 30 ms); min, median and the median
ratio to the floor are printed beside it, and the CPU time this process spent on the page
(median): with SQLite that is all the work, and unlike the time on the clock it does not grow
with what else the machine runs (with PostgreSQL the server's share is not in it).

A filtered page whose total equals the unfiltered queue's is reported as not reading the
filter (it would measure the unfiltered page).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, render_template_string
from sqlalchemy import create_engine, func, select

from .common import Row, ms, p95

TARGET = 0.030
PASSWORD = "jiati-demo-2026"
TOTAL = re.compile(r"共 ([\d,]+) 件")

FLOOR_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>待办</title>
</head><body><table>{% for r in rows %}<tr><td><a href="/staff/cases/{{ r.id }}">{{ r.reference
}}</a></td><td>{{ r.community }}<br>{{ r.address }} {{ r.building }}{{ r.unit }}</td>
<td>{{ r.state }}</td><td>{{ r.updated_at }}</td></tr>{% endfor %}</table></body></html>"""


@dataclass
class Page:
    label: str
    user: str
    url: str
    filtered: bool = False  # its total must be below the unfiltered queue's


def floor_app(url: str) -> tuple[Flask, Callable[[], None]]:
    from workflow.data.models import Case
    from workflow.process.states import states_tagged

    engine = create_engine(url)
    cases = Case.__table__
    window = list(states_tagged("window"))
    app = Flask("bench_floor")

    @app.get("/floor")
    def floor():
        with engine.connect() as c:
            rows = c.execute(
                select(
                    cases.c.id,
                    cases.c.reference,
                    cases.c.community,
                    cases.c.address,
                    cases.c.building,
                    cases.c.unit,
                    cases.c.state,
                    cases.c.updated_at,
                )  # fmt: skip
                .where(cases.c.state.in_(window))
                .order_by(cases.c.updated_at, cases.c.id)
                .limit(20)
            ).all()
        return render_template_string(FLOOR_PAGE, rows=rows)

    return app, engine.dispose


def login(client, username: str) -> None:
    r = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert r.status_code in (302, 303), f"{username} could not log in: {r.status_code}"


def get(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, f"{url}: {r.status_code}"
    return r.get_data(as_text=True)


def total_of(html: str) -> int | None:
    found = TOTAL.search(html)
    return int(found.group(1).replace(",", "")) if found else None


def follow(client, start: str, pages: int) -> tuple[str, int]:
    """The pager's keyset link `pages - 1` times from `start`, as someone paging would."""
    link, page = start, 1
    while page < pages:
        found = re.search(r'href="([^"]*[?;]after=[^"]*)"', get(client, link))
        if not found:
            break
        link, page = found.group(1).replace("&amp;", "&"), page + 1
    return link, page


def pages_to_measure(rt, clients) -> list[Page]:
    from workflow.data.models import Case
    from workflow.process.states import states_tagged

    with rt.db.session() as s:
        # The community with the most cases at the window, and a 街道 with cases.
        community = s.scalar(
            select(Case.community)
            .where(Case.state.in_(states_tagged("window")))
            .group_by(Case.community)
            .order_by(func.count().desc())
            .limit(1)
        )
        street = s.scalar(select(Case.street).where(Case.street.is_not(None)).limit(1))
    window2, _ = follow(clients["clerk"], "/staff/", 2)
    window50, n50 = follow(clients["clerk"], "/staff/", 50)
    review2, _ = follow(clients["housing"], "/staff/review", 2)
    out = [
        Page("clerk: window queue, page 1", "clerk", "/staff/"),
        Page("clerk: window queue, page 2 (keyset)", "clerk", window2),
        Page(f"clerk: window queue, page {n50} (keyset)", "clerk", window50),
        Page("clerk: state 待受理", "clerk", "/staff/?state=submitted", True),
        Page("clerk: state 补贴已核准", "clerk", "/staff/?state=subsidy_approved", True),
        Page(f"clerk: community {community}", "clerk", f"/staff/?community={community}", True),
        Page(f"clerk: street {street}", "clerk", f"/staff/?street={street}", True),
        Page("clerk: handler me", "clerk", "/staff/?handler=me", True),
        Page("clerk: handler none", "clerk", "/staff/?handler=none", True),
        Page("clerk: due soon", "clerk", "/staff/?due=soon", True),
        Page("clerk: due overdue", "clerk", "/staff/?due=overdue", True),
        Page("clerk: today's letters", "clerk", "/staff/letters"),
        Page("clerk: rectifications", "clerk", "/staff/ratings"),
        Page("clerk: privacy requests", "clerk", "/staff/privacy-requests"),
        Page("clerk: elevators", "clerk", "/staff/elevators"),
        Page("clerk: elevators, inspection due", "clerk", "/staff/elevators?which=due"),
        Page("clerk: inbox", "clerk", "/inbox/"),
        Page("housing (lead): review queue, page 1", "housing", "/staff/review"),
        Page("housing (lead): review queue, page 2", "housing", review2),
        Page("housing (lead): review, handler me", "housing", "/staff/review?handler=me", True),
        Page("housing (lead): review, due soon", "housing", "/staff/review?due=soon", True),
        Page(
            "housing (lead): state 补贴审核", "housing", "/staff/review?state=subsidy_review", True
        ),
        Page("housing (lead): rectifications", "housing", "/staff/ratings"),
        Page("planning: review queue, page 1", "planning", "/staff/review"),
        Page("planning: review, handler none", "planning", "/staff/review?handler=none", True),
        Page("market: review queue, page 1", "market", "/staff/review"),
        Page("mediator (南城街道): mediations", "mediator1", "/staff/mediations"),
        Page("admin: users", "admin", "/admin/users"),
        Page("admin: holidays", "admin", "/admin/holidays"),
        Page("admin: installers", "admin", "/admin/installers"),
        Page("admin: personal data access log", "admin", "/admin/access-log"),
        Page("admin: elevators", "admin", "/staff/elevators"),
    ]
    return out


def run(app, url: str, runs: int) -> list[Row]:
    from workflow.data import audit

    rt = app.extensions["jiati"]
    users = ("clerk", "housing", "planning", "market", "mediator1", "admin")
    clients = {}
    for u in users:
        clients[u] = app.test_client()
        login(clients[u], u)
    pages = pages_to_measure(rt, clients)
    floor, dispose = floor_app(url)
    bare = floor.test_client()

    def tick() -> None:
        """Another desk's work lands: the audit log grows by one event."""
        with rt.db.transaction() as s:
            audit.append(s, kind="bench_tick", at=rt.clock(), actor=None)

    unfiltered = {
        "/staff/": total_of(get(clients["clerk"], "/staff/")),
        "/staff/review": total_of(get(clients["housing"], "/staff/review")),
    }
    page_t: dict[str, list[float]] = {p.label: [] for p in pages}
    floor_t: dict[str, list[float]] = {p.label: [] for p in pages}
    cpu_t: dict[str, list[float]] = {p.label: [] for p in pages}
    ignored: set[str] = set()
    for p in pages:  # warm each page once (templates compiled, statements cached)
        html = get(clients[p.user], p.url)
        base = unfiltered.get(p.url.split("?")[0])
        if p.filtered and base is not None and total_of(html) == base:
            ignored.add(p.label)
    get(bare, "/floor")
    # Rounds: every page once per round, so noise from other work spreads over all pages.
    for _ in range(runs):
        for p in pages:
            tick()
            start, cpu = time.perf_counter(), time.process_time()
            get(clients[p.user], p.url)
            page_t[p.label].append(time.perf_counter() - start)
            cpu_t[p.label].append(time.process_time() - cpu)
            start = time.perf_counter()
            get(bare, "/floor")
            floor_t[p.label].append(time.perf_counter() - start)
    dispose()
    rows = []
    for p in pages:
        t, f = page_t[p.label], floor_t[p.label]
        ratio = statistics.median(t) / statistics.median(f)
        note = " — the page ignores this filter" if p.label in ignored else ""
        rows.append(
            Row(
                p.label,
                f"p95 {ms(p95(t))} (min {ms(min(t))} / median {ms(statistics.median(t))});"
                f" {ratio:.1f}× floor; this process's CPU median"
                f" {ms(statistics.median(cpu_t[p.label]))}{note}",
                "p95 under 30 ms",
                p95(t) < TARGET and p.label not in ignored,
                floor=f"min {ms(min(f))} / median {ms(statistics.median(f))}",
            )
        )
    return rows
