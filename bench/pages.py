"""The pages at scale, through the app (Flask's test client: the application's time, without
a server in front): statistics cold and cached, the clerk's queue at page 1 and deep in it,
search, and the API's list."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys

from sqlalchemy import func, select

from .common import Row, ms, p95, summary, times


def _login(client, username: str) -> None:
    r = client.post("/auth/login", data={"username": username, "password": "jiati-demo-2026"})
    assert r.status_code in (302, 303), f"{username} could not log in: {r.status_code}"


def _get(client, url: str, **kw) -> bytes:
    r = client.get(url, **kw)
    assert r.status_code == 200, f"{url}: {r.status_code}"
    return r.data


def run(app, url: str, runs: int) -> list[Row]:
    from workflow.data.models import Case, Household
    from workflow.read import statistics as stats

    rt = app.extensions["jiati"]
    rows: list[Row] = []

    admin = app.test_client()
    _login(admin, "admin")

    def cold() -> None:
        stats._cache.clear()
        _get(admin, "/admin/statistics")

    cold_t = times(cold, max(3, runs // 10), warmup=1)
    cached_t = times(lambda: _get(admin, "/admin/statistics"), runs)
    rows.append(
        Row("admin statistics, cold", summary(cold_t), "under 1 s", statistics.median(cold_t) < 1)
    )
    rows.append(
        Row(
            "admin statistics, cached",
            summary(cached_t),
            "under 100 ms",
            statistics.median(cached_t) < 0.1,
        )
    )
    mib = _statistics_memory(url)
    rows.append(
        Row(
            "process memory at the statistics page",
            f"{mib:.0f} MiB peak",
            "under 150 MiB",
            mib < 150,
        )
    )

    clerk = app.test_client()
    _login(clerk, "clerk")
    first = times(lambda: _get(clerk, "/staff/"), runs)
    # Follow the pager's keyset links as a clerk would, as deep as page 50.
    link, page = "/staff/", 1
    while page < 50:
        html = _get(clerk, link).decode()
        found = re.search(r'href="(/staff/\?[^"]*after=[^"]*)"', html)
        if not found:
            break
        link, page = found.group(1).replace("&amp;", "&"), page + 1
    deep = times(lambda: _get(clerk, link), runs)
    rows.append(
        Row(
            "clerk queue, first page",
            f"p95 {ms(p95(first))} ({summary(first)})",
            "under 30 ms p95",
            p95(first) < 0.03,
        )
    )
    rows.append(
        Row(
            f"clerk queue, page {page} (keyset)",
            f"p95 {ms(p95(deep))} ({summary(deep)})",
            "under 30 ms p95",
            p95(deep) < 0.03,
        )
    )

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
