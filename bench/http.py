"""HTTP throughput under gunicorn (2 workers, 8 clients, loopback): the engine's letter
verification page and a correction transition (request_correction / resubmit, through the JSON
API), each as a ratio to a bare Flask + SQLAlchemy endpoint doing the same rows (bench/bare.py)
in the same run. The four measurements are interleaved round by round, so a neighbour's load
falls on both sides of a ratio; the minimum and median of the ratios are printed. Target: 50%.

PostgreSQL when TEST_DATABASE_URL (or the default local server) answers, else SQLite. The
engine is served as in production: with its job queue on Redis (a database of the bench's own,
emptied before and after) when Redis answers, so letters and messages are enqueued after the
commit rather than made inside the request.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PORT, BARE_PORT = 5155, 5156
CLIENTS = 8


@dataclass
class Fixture:
    url: str
    verify_code: str
    cases: list[int]
    clerk: str
    owner: str
    cleanup: object


def _database(tmp: Path):
    from sqlalchemy import create_engine, text

    base = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    base = base.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        admin = create_engine(base, connect_args={"connect_timeout": 3})
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:  # noqa: BLE001 - no PostgreSQL: SQLite it is
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None

    def drop() -> None:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def prepare(tmp: Path) -> Fixture:
    """One letter to verify and a case in 待受理 per client, made through the real services."""
    import workflow.rules.passwords
    from tests.journey import Journey, make_people
    from web.schema import upgrade_database
    from workflow import services
    from workflow.adapters.local import LocalFolderStore
    from workflow.data.db import Database
    from workflow.data.models import Letter
    from workflow.data.runtime import Runtime
    from workflow.data.settings import Settings

    workflow.rules.passwords.N = 2**8  # the accounts are the bench's own
    url, cleanup = _database(tmp)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # each step of a fresh schema
    upgrade_database(url)
    rt = Runtime(
        Database(url),
        replace(Settings(), publicity_days=0, demo_short_publicity=True),
        LocalFolderStore(tmp / "files"),
    )
    people = make_people(rt)
    journey = Journey(rt, people)
    reviewed = journey.case_in("review")
    cases = [journey.case_in("submitted") for _ in range(CLIENTS)]
    with rt.db.session() as s:
        code = s.query(Letter).filter_by(case_id=reviewed).one().verify_code
    clerk = services.issue_token(rt, people.clerk.username, "secret-pass-1")[0]
    owner = services.issue_token(rt, people.owner.username, "secret-pass-1")[0]
    rt.db.dispose()
    return Fixture(url, code, cases, clerk, owner, cleanup)


def _queue() -> str | None:
    """A Redis database of the bench's own for the engine's job queue, as served in
    production (a transition's after-commit work is enqueued, not done in the request);
    None when no Redis answers (jobs then run in-process, in the request)."""
    import redis

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except Exception:  # noqa: BLE001 - no Redis here
        return None
    return url


def _serve(
    port: int, target: str, url: str, tmp: Path, queue: str | None = None
) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ELEVATOR_INSTANCE_PATH": str(tmp / f"instance-{port}"),
        "FLASK_SECRET_KEY": "b" * 48,
        "FLASK_RENDER_PDF": "false",
        # Eight clients from one address are a load test, not a guesser: the per-address
        # throttle would answer most of them 429.
        "FLASK_RATELIMIT_ENABLED": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    env.pop("REDIS_URL", None)
    if queue:
        env["REDIS_URL"] = queue
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _request(port: int, method: str, path: str, headers=None, body=None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _wait(port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(port, "GET", path) < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def hammer(one_request, seconds: float) -> tuple[float, int]:
    """Requests a second from CLIENTS threads, each sending one request after another."""
    done, errors = [0] * CLIENTS, [0] * CLIENTS
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        while time.monotonic() < stop:
            if one_request(i):
                done[i] += 1
            else:
                errors[i] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - start), sum(errors)


def run(rounds: int = 3, seconds: float = 2.0) -> int:
    with tempfile.TemporaryDirectory(prefix="jiati-bench-") as folder:
        tmp = Path(folder)
        fx = prepare(tmp)
        queue = _queue()
        print(f"  the engine's job queue: {queue or 'in-process (no Redis)'}")
        servers = [
            _serve(APP_PORT, "web:create_app()", fx.url, tmp, queue),
            _serve(BARE_PORT, "bench.bare:app", fx.url, tmp),
        ]
        try:
            _wait(APP_PORT, "/healthz")
            _wait(BARE_PORT, "/bare/verify/none")
            return _measure(fx, rounds, seconds)
        finally:
            for s in servers:
                s.terminate()
                s.wait()
            fx.cleanup()
            if queue:
                import redis

                redis.Redis.from_url(queue).flushdb()  # the jobs no worker was there to run


def _measure(fx: Fixture, rounds: int, seconds: float) -> int:
    states = ["submitted"] * CLIENTS  # each client fires on its own case, back and forth

    def read(port: int, prefix: str):
        return lambda i: _request(port, "GET", f"{prefix}/verify/{fx.verify_code}") == 200

    def transition(port: int, path, reply: str = "minimal"):
        def one(i: int) -> bool:
            trigger = "request_correction" if states[i] == "submitted" else "resubmit"
            token = fx.clerk if trigger == "request_correction" else fx.owner
            body = json.dumps({"items": ["补充说明"]} if trigger == "request_correction" else {})
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            if reply == "minimal":  # the outcome, as the bare endpoint answers
                headers["Prefer"] = "return=minimal"
            status = _request(port, "POST", path(fx.cases[i], trigger), headers, body)
            if status == 200:
                states[i] = "correction" if states[i] == "submitted" else "submitted"
            return status == 200

        return one

    api = lambda c, t: f"/api/v1/cases/{c}/transitions/{t}"  # noqa: E731
    bare = lambda c, t: f"/bare/cases/{c}/{t}"  # noqa: E731
    pairs = {
        "read page (/verify/<code>)": (read(APP_PORT, ""), read(BARE_PORT, "/bare")),
        "transition (API, correction)": (transition(APP_PORT, api), transition(BARE_PORT, bare)),
        # The default reply describes the whole case (a dozen queries more than the bare
        # endpoint reads): shown for what it costs, not held to the target.
        "  same, whole case in reply": (
            transition(APP_PORT, api, "case"),
            transition(BARE_PORT, bare),
        ),
    }
    for app_side, bare_side in pairs.values():  # warm-up: imports, pools, caches
        hammer(app_side, 0.5)
        hammer(bare_side, 0.5)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in pairs}
    errors = 0
    for _ in range(rounds):
        for name, (app_side, bare_side) in pairs.items():
            app_rate, e1 = hammer(app_side, seconds)
            bare_rate, e2 = hammer(bare_side, seconds)
            results[name].append((app_rate, bare_rate))
            errors += e1 + e2
    db = "PostgreSQL" if fx.url.startswith("postgresql") else "SQLite"
    print(
        f"HTTP throughput under gunicorn (2 workers, {CLIENTS} clients, loopback, {db}), "
        f"{rounds} interleaved rounds of {seconds:g} s"
    )
    for name, pairs_ in results.items():
        ratios = [a / b for a, b in pairs_]
        app_median = statistics.median(a for a, _ in pairs_)
        bare_median = statistics.median(b for _, b in pairs_)
        print(
            f"  {name:<30} engine {app_median:7.1f}/s  bare {bare_median:7.1f}/s  "
            f"ratio min {min(ratios):5.0%}  median {statistics.median(ratios):5.0%}"
            + ("" if name.startswith(" ") else "  (target ≥ 50%)")
        )
    if errors:
        print(f"  warning: {errors} requests failed", file=sys.stderr)
    return 0
