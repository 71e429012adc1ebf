"""`make soak`: a bounded run under faults, on this machine's loopback only.

Starts its own PostgreSQL cluster, Redis, S3 API (moto) and SMS gateway, two gunicorn hosts and a
job worker (soak/cluster.py); drives a mixed load through a balancer, keeping a ledger of every
answer (soak/load.py); after a warm-up and a quiet run, kills one web host, restarts PostgreSQL,
kills Redis and starts it again, kills the worker with SIGKILL in the middle of a batch and makes
S3 unreachable for 30 s, one at a time (soak/faults.py); lets the queues drain; then checks the
ledger against the database, the letters, the messages, the batches, the audit chain, memory and
speed (soak/checks.py), prints one line per check and exits 1 on any miss.

SOAK_SECONDS (default 300) is the length of the load, faults included; when the faults take
longer to recover than that leaves them (a short run), the load goes on until the last has
recovered. Setting up (about a minute: the demo data) and checking come on top. SOAK_KEEP=1
keeps the run's folder (logs, the ledger and memory samples as JSON lines).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time

import requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("SOAK_SECONDS", 300)))  # fmt: skip
    parser.add_argument("--keep", action="store_true", default=bool(os.environ.get("SOAK_KEEP")))
    args = parser.parse_args(argv)
    if args.seconds < 120:
        parser.error("SOAK_SECONDS: at least 120 (a quiet run, then five faults)")

    from .cluster import Gateway, Layout, LayoutError

    # A stop from outside (Ctrl-C, SIGTERM) still ends every process the soak started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        layout = Layout(keep=args.keep)
    except LayoutError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    try:
        return run(layout, args.seconds, Gateway)
    except LayoutError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    finally:
        layout.close()
        if args.keep:
            print(f"\nkept: {layout.root} (logs/, ledger.jsonl)")


def run(layout, seconds: float, gateway_class) -> int:
    from sqlalchemy import create_engine

    from . import checks, report
    from .client import Balancer
    from .cluster import wait_until
    from .faults import Faults, Machine, Memory, ready
    from .ledger import Ledger
    from .load import OWNERS, PASSWORD, Shared, actors

    started = time.monotonic()
    print(f"soak: {seconds:.0f} s of load on loopback, in {layout.root}", flush=True)
    layout.gateway = gateway_class()
    layout.init_postgres()
    layout.start_redis()
    layout.start_s3()
    applicants = [("user", "create", "--username", phone, "--password", PASSWORD,
                   "--role", "homeowner", "--name", name) for phone, name in OWNERS]  # fmt: skip
    for step in (("db", "upgrade"), ("demo",), *applicants):
        out = layout.flask(*step)
        if out.returncode:
            raise_layout(f"flask {' '.join(step)} failed: {out.stderr[-2000:]}")
    for i in range(2):
        layout.start_web(i)
    layout.start_worker()
    for port in layout.web_ports:
        wait_until(lambda p=port: ready(f"http://127.0.0.1:{p}"), f"host :{port}", 120)
    print(f"  layout up in {time.monotonic() - started:.0f} s: PostgreSQL :{layout.pg_port}, "
          f"Redis :{layout.redis_port}, S3 :{layout.s3_port}, hosts :{layout.web_ports[0]} "
          f":{layout.web_ports[1]}, {2 * 2} web workers, 1 job worker", flush=True)  # fmt: skip

    timeline = checks.Timeline.of(seconds)
    ledger = Ledger(time.monotonic())
    balancer = Balancer(layout.web_ports)
    shared, stop, sampling = Shared(), threading.Event(), threading.Event()
    memory = Memory(layout, ledger, sampling)
    memory.start()
    cpu = Machine(ledger, sampling)
    cpu.start()
    people = actors(balancer, ledger, shared, stop)
    for actor in people:
        actor.start()
    print(f"  warm-up until {timeline.warm:.0f} s, quiet run until {timeline.quiet_end:.0f} s, "
          f"faults from then until {seconds:.0f} s:", flush=True)  # fmt: skip
    faults = Faults(layout, ledger, balancer, timeline.schedule)
    faults.start()
    # The load runs its SOAK_SECONDS, and on until the last fault has recovered and the tail
    # of plain load after it has run (a short run is longer than asked: five faults take time).
    while not faults.done.is_set() or ledger.now() < max(
        seconds, (faults.windows[-1].end or 0) + timeline.tail if faults.windows else 0
    ):
        if ledger.now() > seconds + 600:
            break  # a fault that never recovered: the checks say so
        time.sleep(0.5)
    load_end = ledger.now()
    stop.set()
    for actor in people:
        actor.join(timeout=150)
    sampling.set()
    print(f"  load stopped at {load_end:.0f} s; draining the queues…", flush=True)
    ledger.write(layout.root / "ledger.jsonl")
    memory.write(layout.root / "memory.jsonl")

    engine = create_engine(layout.database_url, pool_pre_ping=True)
    drained = drain(engine, 360)
    print(f"  drained in {drained:.0f} s; checking…", flush=True)
    import boto3

    from workflow.process.machine import TRANSITION

    from .cluster import BUCKET, S3_KEYS

    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{layout.s3_port}",
        aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"],
        region_name=S3_KEYS["S3_REGION"],
    )
    entries = ledger.snapshot()
    windows = faults.windows
    logs = sorted(layout.logs.glob("web*.log")) + sorted(layout.logs.glob("worker*.log"))
    results = []
    results += checks.ledger_against_database(entries, engine, set(TRANSITION))
    results += checks.answers(entries, windows)
    results += checks.database_down(faults)
    results += checks.letters(engine, s3, BUCKET, logs)
    results += checks.outbox(engine, layout.gateway.received)
    results += checks.batches(engine, s3, BUCKET, windows)
    verify = layout.flask("audit", "verify")
    results.append(checks.Check("jobs", "audit verify clean", verify.returncode == 0,
                                (verify.stdout.strip() or verify.stderr.strip()).splitlines()[-1][:160]
                                if (verify.stdout or verify.stderr).strip() else "no output"))  # fmt: skip
    results += checks.memory(memory, load_end)
    speed, rows, slowdown = checks.speed(entries, timeline, windows, load_end, cpu.samples)
    results += speed
    problems = [f"{a.name}: {a.failure!r}" for a in [*people, faults] if a.failure is not None]
    results.append(checks.Check("run", "every actor and fault ran to the end", not problems,
                                "; ".join(problems)[:300] or f"{len(people)} actors, "
                                f"{len(windows)} faults"))  # fmt: skip
    engine.dispose()
    faults.close()
    report.print_report(results, rows, windows, timeline, load_end, shared, memory.load, slowdown)
    return 0 if all(c.ok for c in results) else 1


def drain(engine, timeout: float) -> float:
    """Wait until every letter has its bytes, no message waits to be sent and every batch is
    finished (or the time is up: the checks then say what is left)."""
    from sqlalchemy import text

    start = time.monotonic()
    query = text(
        "SELECT (SELECT count(*) FROM letters WHERE sha256 IS NULL)"
        " + (SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'sending'))"
        " + (SELECT count(*) FROM batch_prints WHERE state IN ('queued', 'running'))"
    )
    while time.monotonic() - start < timeout:
        try:
            with engine.connect() as c:
                if c.scalar(query) == 0:
                    break
        except Exception:  # noqa: BLE001 - asked again
            pass
        time.sleep(1)
    return time.monotonic() - start


def raise_layout(message: str):
    from .cluster import LayoutError

    raise LayoutError(message)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except requests.RequestException as exc:  # pragma: no cover - reported, not hidden
        print(f"soak: {exc}", file=sys.stderr)
        sys.exit(2)
