"""`make bench`: every row of the province-scale table measured in one run, on SQLite and on
PostgreSQL, each figure beside its floor where it has one and against its target.

The data set (the demo's logins plus BENCH_CASES bulk cases, default 100,000) is made by this
command the first time and kept per size (instance/bench/ for SQLite, the PostgreSQL database
jiati_bench_<N>); `--fresh` makes it again. Quick runs: `BENCH_CASES=2000 make bench`.

Then letters (Chinese against the same page in a Latin font; tagged PDF/A-2a against untagged)
and HTTP throughput under gunicorn against a bare Flask + SQLAlchemy app (bench/http.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import data
from .common import Row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_CASES", 100_000)))
    parser.add_argument(
        "--db", choices=("sqlite", "postgresql", "both"), default=os.environ.get("BENCH_DB", "both")
    )
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 20)))
    parser.add_argument("--fresh", action="store_true", help="make the data set again")
    parser.add_argument("--skip-letters", action="store_true")
    parser.add_argument("--http-rounds", type=int, default=3, help="interleaved HTTP rounds")
    parser.add_argument("--http-seconds", type=float, default=2.0, help="seconds per HTTP run")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument(
        "--parts",
        default="all",
        help="which rows of the database part, comma-separated: statistics, queues, search,"
        " api, transition (default all)",
    )
    args = parser.parse_args(argv)

    from . import pages, transition

    parts = (*pages.PARTS, "transition") if args.parts == "all" else args.parts.split(",")
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results: dict[str, list[Row]] = {}
    started = time.perf_counter()
    for db in dbs:
        print(f"\n== {db}, {args.cases:,} bulk cases ==", flush=True)
        try:
            url = data.ensure(db, args.cases, fresh=args.fresh)
        except Exception as exc:  # noqa: BLE001 - e.g. no PostgreSQL server: say so, go on
            print(f"  skipped: {exc.__class__.__name__}: {exc}", flush=True)
            continue
        app = data.make_app(url)
        rt = app.extensions["jiati"]
        with rt.db.session() as s:
            from sqlalchemy import func, select

            from workflow.data.models import Case, Event, Household

            size = (
                s.scalar(select(func.count(Case.id))),
                s.scalar(select(func.count(Household.id))),
                s.scalar(select(func.count(Event.id))),
            )
        print(f"  measured at {size[0]:,} cases, {size[1]:,} households, {size[2]:,} events")
        # Other work on the machine shows in every figure; the floors measured beside them too.
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"  load average {load} on {os.cpu_count()} cores", flush=True)
        rows = pages.run(app, url, args.runs, tuple(p for p in pages.PARTS if p in parts))
        if "transition" in parts:
            rows += transition.run(rt, max(args.runs, 11))
        results[db] = rows
        for row in rows:
            print(row.line(), flush=True)
        rt.db.dispose()
    if not args.skip_letters:
        from . import letters

        print("\n== letters (the database plays no part) ==", flush=True)
        rows = letters.run()
        results["letters"] = rows
        for row in rows:
            print(row.line(), flush=True)

    status = 0
    if not args.skip_http:
        from . import http

        print("\n== HTTP under gunicorn (2 workers, 8 clients, loopback) ==", flush=True)
        status = http.run(args.http_rounds, args.http_seconds)

    print(f"\n== summary ({time.perf_counter() - started:.0f} s) ==")
    for where, rows in results.items():
        missed = [r.name.strip() for r in rows if r.met is False]
        print(f"  {where}: {len(rows) - len(missed)} of {len(rows)} rows meet their target", end="")
        print(f"; missed: {', '.join(missed)}" if missed else "")
    return status


if __name__ == "__main__":
    sys.exit(main())
