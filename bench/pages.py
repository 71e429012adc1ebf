"""The pages at scale, through the app (Flask's test client: the application's time, without
a server in front): statistics cold and cached, every staff queue and list (bench.queues),
search, and the API's list."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time

from sqlalchemy import func, select

from .common import Row, summary, times


def _login(client, username: str) -> None:
    r = client.post("/auth/login", data={"username": username, "password": "jiati-demo-2026"})
    assert r.status_code in (302, 303), f"{username} could not log in: {r.status_code}"


def _get(client, url: str, **kw) -> bytes:
    r = client.get(url, **kw)
    assert r.status_code == 200, f"{url}: {r.status_code}"
    return r.data


PARTS = ("statistics", "queues", "search", "api")


def run(app, url: str, runs: int, parts: tuple[str, ...] = PARTS) -> list[Row]:
    # As a gunicorn worker after loading the app (gunicorn.conf.py, post_worker_init): what
    # exists now lives on, and full collections stop walking it.
    gc.collect()
    gc.freeze()
    try:
        return _rows(app, url, runs, parts)
    finally:
        gc.unfreeze()


def _rows(app, url: str, runs: int, parts: tuple[str, ...]) -> list[Row]:
    rows: list[Row] = []
    if "statistics" in parts:
        rows += statistics_rows(app, url, runs)
    if "queues" in parts:
        from . import queues

        rows += queues.run(app, url, runs)
    if "search" in parts:
        rows += search_rows(app, runs)
    if "api" in parts:
        rows += api_rows(app, runs)
    return rows


def statistics_rows(app, url: str, runs: int) -> list[Row]:
    """Cold: the log has grown since the last view and nothing is kept in memory (a process
    started since, or another desk's work), interleaved with the cached page as its floor.
    Then, for the record, the first view of all (no checkpoint of the log yet: after an
    upgrade, before the periodic job has run)."""
    from sqlalchemy import delete

    from workflow.data import audit
    from workflow.data.models import StatisticsCheckpoint
    from workflow.read import statistics as stats

    rt = app.extensions["jiati"]
    rows: list[Row] = []
    admin = app.test_client()
    _login(admin, "admin")

    def tick() -> None:
        with rt.db.transaction() as s:
            audit.append(s, kind="bench_tick", at=rt.clock(), actor=None)

    _get(admin, "/admin/statistics")  # warm: templates, and a checkpoint if there was none
    cold_t, cached_t = [], []
    for _ in range(max(5, runs // 2)):
        tick()
        stats._cache.clear()
        start = time.perf_counter()
        _get(admin, "/admin/statistics")
        cold_t.append(time.perf_counter() - start)
        start = time.perf_counter()
        _get(admin, "/admin/statistics")
        cached_t.append(time.perf_counter() - start)
    ratio = statistics.median(cold_t) / statistics.median(cached_t)
    rows.append(
        Row(
            "admin statistics, cold",
            f"{summary(cold_t)}; {ratio:.1f}× the cached page",
            "under 1 s",
            statistics.median(cold_t) < 1,
            floor=f"cached {summary(cached_t)}",
        )
    )
    rows.append(
        Row(
            "admin statistics, cached",
            summary(cached_t),
            "under 100 ms",
            statistics.median(cached_t) < 0.1,
        )
    )
    first_t = []
    for _ in range(2):
        with rt.db.transaction() as s:
            s.execute(delete(StatisticsCheckpoint))
        stats._cache.clear()
        start = time.perf_counter()
        _get(admin, "/admin/statistics")
        first_t.append(time.perf_counter() - start)
    rows.append(Row("admin statistics, first view (no checkpoint)", summary(first_t), "—", None))
    mib = _statistics_memory(url)
    rows.append(
        Row(
            "process memory at the statistics page",
            f"{mib:.0f} MiB peak",
            "under 150 MiB",
            mib < 150,
        )
    )

    return rows


def search_rows(app, runs: int) -> list[Row]:
    from workflow.data.models import Case, Household

    rt = app.extensions["jiati"]
    rows: list[Row] = []
    clerk = app.test_client()
    _login(clerk, "clerk")
    with rt.db.session() as s:
        ref, address = s.execute(
            select(Case.reference, Case.address).order_by(Case.id.desc()).limit(1)
        ).one()
        name = s.scalar(
            select(Household.owner_name)
            .where(func.length(Household.owner_name) == 3)
            .order_by(Household.id.desc())
            .limit(1)
        )
    for label, q in (("reference", ref), ("address", address.split(" ")[0] + " 1"), ("name", name)):
        t = times(lambda q=q: _get(clerk, "/staff/", query_string={"q": q}), max(5, runs // 2))
        rows.append(
            Row(
                f"search by {label} ({q})",
                summary(t),
                "under 50 ms",
                statistics.median(t) < 0.05,
            )
        )
    return rows


def api_rows(app, runs: int) -> list[Row]:
    rows: list[Row] = []
    api = app.test_client()
    token = api.post(
        "/api/v1/token", json={"username": "clerk", "password": "jiati-demo-2026"}
    ).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    listing = times(lambda: _get(api, "/api/v1/cases?per_page=20", headers=auth), runs)
    body = json.loads(_get(api, "/api/v1/cases?per_page=20", headers=auth))
    after = body["next_cursor"]
    later = times(
        lambda: _get(
            api, "/api/v1/cases", query_string={"per_page": 20, "after": after}, headers=auth
        ),
        runs,
    )
    rows.append(
        Row(
            "API case list, first page",
            summary(listing),
            "under 40 ms",
            statistics.median(listing) < 0.04,
        )
    )
    rows.append(
        Row(
            "API case list, by cursor",
            summary(later),
            "under 40 ms",
            statistics.median(later) < 0.04,
        )
    )
    return rows


def _statistics_memory(url: str) -> float:
    """Peak resident memory of a fresh process that serves the statistics page once."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.memory", url], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])
