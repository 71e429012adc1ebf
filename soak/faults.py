"""The faults, at set times and one at a time, each with the window in which it hurts: from the
moment it is injected until every host says it is ready again and the jobs it held back are done
(plus SETTLE seconds). Pages measured inside a window are not held to the quiet run's speed;
every answer, inside or not, is held to "no 500".

While PostgreSQL is down a prober asks each host for a page, the API and /readyz, and records
what came back: the soak checks that each was a 503 with `Retry-After` (the page in Chinese), and
that /readyz came back to 200 with nobody touching the hosts.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field

import requests
from sqlalchemy import create_engine, text

from .client import Client, route_of
from .cluster import Layout, rss_kib, wait_until
from .ledger import LOST, REFUSED, Entry, Ledger
from .load import PASSWORD

PG_DOWN_SECONDS = 8
REDIS_DOWN_SECONDS = 3
RESTART_DELAY = 3  # systemd's RestartSec before a killed process is started again
S3_PAUSE_SECONDS = 30
SETTLE = 15  # seconds after the catching up still in the fault's window
CATCH_UP_LIMIT = 120  # the longest a window waits for the jobs a fault held back
GAP = 10  # seconds of plain load between one fault's window and the next fault
BIG_BATCH = 40  # letters in the batch whose worker is killed


@dataclass
class Window:
    name: str
    start: float
    end: float | None = None
    detail: dict = field(default_factory=dict)

    def covers(self, t: float) -> bool:
        return self.start <= t <= (self.end if self.end is not None else float("inf"))


@dataclass
class Probe:
    at: float
    host: int
    what: str  # "page", "api", "readyz"
    status: int | str
    retry_after: str | None
    good: bool
    note: str = ""


def ready(base: str) -> bool:
    try:
        return requests.get(f"{base}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


class Faults(threading.Thread):
    def __init__(self, layout: Layout, ledger: Ledger, balancer, schedule: list[tuple[float, str]]):
        super().__init__(name="faults", daemon=True)
        self.layout, self.ledger, self.balancer = layout, ledger, balancer
        self.schedule = schedule
        self.windows: list[Window] = []
        self.probes: list[Probe] = []
        self.readyz_back: list[float] = []  # seconds from PostgreSQL's start to ready, per host
        self.failure: BaseException | None = None
        self.done = threading.Event()
        self.engine = create_engine(layout.database_url, pool_pre_ping=True)

    def run(self) -> None:
        try:
            self.clerk = Client("faults-clerk", self.balancer, self.ledger)
            self.clerk.web_login("clerk", PASSWORD)
            self.prober = Client("probe", self.balancer, self.ledger)
            self.prober.web_login("clerk", PASSWORD)
            self.prober.api_login("clerk", PASSWORD)
            for at, name in self.schedule:
                # One fault at a time: the next waits for the one before to have recovered.
                after = self.windows[-1].end + GAP if self.windows else 0.0
                while self.ledger.now() < max(at, after):
                    time.sleep(0.1)
                getattr(self, name)()
        except BaseException as exc:  # noqa: BLE001 - reported as a miss
            self.failure = exc
        finally:
            self.done.set()

    def _open(self, name: str, **detail) -> Window:
        w = Window(name, self.ledger.now(), detail=detail)
        self.windows.append(w)
        print(f"  [{w.start:6.1f} s] {name}", flush=True)
        return w

    def _ready_again(self, w: Window, timeout: float = 120) -> None:
        for base in self.balancer.bases:
            wait_until(lambda b=base: ready(b), f"{base}/readyz after {w.name}", timeout)
        w.detail["recovered_s"] = round(self.ledger.now() - w.start, 1)
        self._caught_up(w)

    def _caught_up(self, w: Window) -> None:
        """The window closes once the jobs the fault held back are done (letters issued, text
        messages written and batches asked for until now), and SETTLE seconds more: catching
        up takes the cores the pages share."""
        backlog = text(
            "SELECT (SELECT count(*) FROM letters WHERE sha256 IS NULL AND id <= :l)"
            " + (SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'sending')"
            "    AND id <= :m)"
            " + (SELECT count(*) FROM batch_prints WHERE state IN ('queued', 'running')"
            "    AND id <= :b)"
        )
        try:
            with self.engine.connect() as c:
                marks = {k: c.scalar(text(f"SELECT coalesce(max(id), 0) FROM {t}"))
                         for k, t in (("l", "letters"), ("m", "outbox_messages"),
                                      ("b", "batch_prints"))}  # fmt: skip
        except Exception:  # noqa: BLE001 - no marks, no wait
            marks = None
        deadline = time.monotonic() + CATCH_UP_LIMIT
        while marks is not None and time.monotonic() < deadline:
            try:
                with self.engine.connect() as c:
                    if c.scalar(backlog, marks) == 0:
                        break
            except Exception:  # noqa: BLE001 - asked again
                pass
            time.sleep(0.5)
        w.detail["caught_up_s"] = round(self.ledger.now() - w.start, 1)
        w.end = self.ledger.now() + SETTLE

    # -- PostgreSQL restarted

    def restart_postgres(self) -> None:
        w = self._open("PostgreSQL restarted", down_s=PG_DOWN_SECONDS)
        self.layout.stop_postgres()
        stopped = time.monotonic()
        while time.monotonic() - stopped < PG_DOWN_SECONDS:
            for i, base in enumerate(self.balancer.bases):
                self._probe(i, base)
            time.sleep(0.5)
        self.layout.start_postgres()
        started = time.monotonic()
        pending = dict(enumerate(self.balancer.bases))
        while pending and time.monotonic() - started < 60:
            for i, base in list(pending.items()):
                if ready(base):
                    self.readyz_back.append(round(time.monotonic() - started, 1))
                    del pending[i]
            time.sleep(0.2)
        w.detail["readyz_back_s"] = list(self.readyz_back)
        self._ready_again(w)

    def _probe(self, i: int, base: str) -> None:
        session = self.prober.session
        for what, path, headers in (
            ("page", "/staff/", {}),
            ("api", "/api/v1/cases", {"Authorization": f"Bearer {self.prober.token}"}),
            ("readyz", "/readyz", {}),
        ):
            at = self.ledger.now()
            start = time.perf_counter()
            try:
                r = session.get(base + path, headers=headers, timeout=10, allow_redirects=False)
            except requests.RequestException as exc:
                self.probes.append(Probe(at, i, what, LOST, None, False, str(exc)[:120]))
                self.ledger.add(Entry(at, 0, "probe", "GET", route_of("GET", path), i, LOST))
                continue
            ms = (time.perf_counter() - start) * 1000
            retry = r.headers.get("Retry-After")
            self.ledger.add(Entry(at, ms, "probe", "GET", route_of("GET", path), i,
                                  r.status_code, retry_after=retry))  # fmt: skip
            if what == "page":
                good = (r.status_code == 503 and bool(retry)
                        and r.headers.get("Content-Type", "").startswith("text/html")
                        and "暂时无法办理" in r.text and 'lang="zh-CN"' in r.text)  # fmt: skip
            elif what == "api":
                good = (r.status_code == 503 and bool(retry)
                        and r.headers.get("Content-Type", "").startswith("application/json")
                        and r.json().get("error") == "unavailable")  # fmt: skip
            else:
                good = r.status_code == 503
            self.probes.append(Probe(at, i, what, r.status_code, retry, good, r.text[:120]))

    # -- Redis killed and started again

    def kill_redis(self) -> None:
        w = self._open("Redis killed (SIGKILL) and started again", down_s=REDIS_DOWN_SECONDS)
        self.layout.kill_redis()
        time.sleep(REDIS_DOWN_SECONDS)
        self.layout.start_redis()
        self._ready_again(w)

    # -- one web host killed

    def kill_web_host(self) -> None:
        w = self._open("web host 2 killed (SIGKILL to master and workers)")
        self.layout.kill_web(1)
        time.sleep(RESTART_DELAY)
        self.layout.start_web(1)
        self._ready_again(w)

    # -- the worker killed in the middle of a batch

    def kill_worker_mid_batch(self) -> None:
        with self.engine.connect() as c:
            ids = list(c.scalars(text("SELECT id FROM letters ORDER BY id DESC LIMIT :n"),
                                 {"n": BIG_BATCH}))  # fmt: skip
        token = self.clerk.csrf("/staff/letters")
        r = self.clerk.call("POST", "/letters/batch", act="batch",
                            data={"csrf_token": token, "letter_ids": list(reversed(ids))})  # fmt: skip
        if r is None or r.status_code != 303:
            raise RuntimeError(f"the big batch was not accepted: {r and r.status_code}")
        batch_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
        w = self._open("worker killed (SIGKILL) in the middle of a batch", batch=batch_id,
                       letters=len(ids))  # fmt: skip
        deadline = time.monotonic() + 120
        row = None
        while time.monotonic() < deadline:
            row = self._batch(batch_id)
            if row and row.state == "running":
                break
            time.sleep(0.1)
        time.sleep(1.0)  # well into the layout
        row = self._batch(batch_id)
        w.detail["state_at_kill"] = f"{row.state}, {row.done}/{row.total}" if row else "?"
        w.detail["mid_batch"] = bool(row and row.state == "running" and row.done < row.total)
        killed = self.layout.worker
        self.layout.kill_worker()
        time.sleep(RESTART_DELAY)
        left = self.layout.session_leftovers(killed)
        w.detail["render_processes_left"] = len(left)
        # What systemd does to the rest of a dead service's control group before restarting it.
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.layout.start_worker()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            row = self._batch(batch_id)
            if row and row.state in ("done", "failed"):
                break
            time.sleep(0.5)
        w.detail["batch_after"] = f"{row.state}, attempts {row.attempts}" if row else "?"
        w.detail["recovered_s"] = round(self.ledger.now() - w.start, 1)
        self._caught_up(w)

    def _batch(self, batch_id: int):
        try:
            with self.engine.connect() as c:
                return c.execute(
                    text("SELECT state, done, total, attempts FROM batch_prints WHERE id = :i"),
                    {"i": batch_id},
                ).one_or_none()
        except Exception:  # noqa: BLE001 - asked again on the next tick
            return None

    # -- S3 unreachable

    def pause_s3(self) -> None:
        w = self._open(f"S3 unreachable for {S3_PAUSE_SECONDS} s (SIGSTOP … SIGCONT)")
        self.layout.pause_s3()
        time.sleep(S3_PAUSE_SECONDS)
        self.layout.resume_s3()
        self._ready_again(w)

    def close(self) -> None:
        self.engine.dispose()


class Memory(threading.Thread):
    """Resident memory of every gunicorn worker of both hosts, every two seconds."""

    def __init__(self, layout: Layout, ledger: Ledger, stop: threading.Event):
        super().__init__(name="memory", daemon=True)
        self.layout, self.ledger, self.stop = layout, ledger, stop
        self.samples: list[tuple[float, int, int, int]] = []  # (t, host, pid, KiB)
        self.load: list[tuple[float, float]] = []  # (t, the machine's 1-minute load average)

    def write(self, path) -> None:
        with path.open("w") as f:
            for t, host, pid, kib in self.samples:
                f.write(
                    json.dumps({"at": round(t, 1), "host": host, "pid": pid, "kib": kib}) + "\n"
                )

    def run(self) -> None:
        while not self.stop.is_set():
            t = self.ledger.now()
            with open("/proc/loadavg") as f:
                self.load.append((t, float(f.read().split()[0])))
            for host in range(len(self.layout.web)):
                for pid in self.layout.web_workers(host):
                    kib = rss_kib(pid)
                    if kib:
                        self.samples.append((t, host, pid, kib))
            self.stop.wait(2)


class Machine(threading.Thread):
    """How long a fixed piece of CPU work (SHA-256 of 16 MiB) takes, every half second. The
    pages share two cores with whatever else runs on this machine; this says how much slower
    the machine itself was in one phase than in another."""

    WORK = bytes(16 << 20)

    def __init__(self, ledger: Ledger, stop: threading.Event):
        super().__init__(name="machine", daemon=True)
        self.ledger, self.stop = ledger, stop
        self.samples: list[tuple[float, float]] = []  # (t, ms)

    def run(self) -> None:
        while not self.stop.is_set():
            t = self.ledger.now()
            start = time.perf_counter()
            hashlib.sha256(self.WORK).digest()  # the GIL is released: this measures the cores
            self.samples.append((t, (time.perf_counter() - start) * 1000))
            self.stop.wait(0.5)


__all__ = ["Faults", "Machine", "Memory", "Window", "Probe", "REFUSED", "LOST"]
