"""Two hosts behind a load balancer: two gunicorn instances on different ports, one PostgreSQL,
one Redis, one shared store, and a job worker that is killed in the middle of a batch.

Nothing a request needs lives in one process: a case created through one instance is acted on
through the other, a race spread over both has one winner, a letter rendered once is the same
bytes from either, and a killed worker loses nothing and does nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from workflow.adapters.local import LocalFolderStore
from workflow.data.db import Database
from workflow.data.models import Letter
from workflow.data.runtime import Runtime
from workflow.data.settings import Settings

from ..journey import PASSWORD, Journey, application, make_people
from .conftest import WORKER, redis_db

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
PORTS = (5140 + 2 * WORKER, 5141 + 2 * WORKER)  # per parallel test worker


class Layout:
    """The processes of the layout, their logs, and what the test process sees directly."""

    def __init__(self, tmp_path: Path, pg_url: str):
        self.tmp = tmp_path
        self.hosts = [f"http://127.0.0.1:{p}" for p in PORTS]
        self.env = {
            **os.environ,
            "DATABASE_URL": pg_url,
            "REDIS_URL": redis_db(1),
            "STORAGE_URL": f"file://{tmp_path / 'shared'}",
            "FLASK_SECRET_KEY": "s" * 48,
            "FLASK_PUBLICITY_DAYS": "0",
            "FLASK_DEMO_SHORT_PUBLICITY": "true",
            "FLASK_RENDER_PDF": "true",
            "WEB_CONCURRENCY": "2",
        }
        self.procs: list[subprocess.Popen] = []
        self.worker_logs: list[Path] = []

    def start(self, name: str, args: list[str], **env) -> subprocess.Popen:
        log = self.tmp / f"{name}.log"
        # Each process has its own instance folder: nothing may depend on one host's disk.
        env = {**self.env, "ELEVATOR_INSTANCE_PATH": str(self.tmp / f"instance-{name}"), **env}
        proc = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        proc.log = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def start_web(self) -> None:
        for i, port in enumerate(PORTS):
            self.start(
                f"web{i}",
                ["gunicorn", "-c", "gunicorn.conf.py", "web:create_app()"],
                PORT=str(port),
            )
        for host in self.hosts:
            wait_for(lambda h=host: _ready(h), f"{host}/readyz", procs=self.procs)

    def start_worker(self) -> subprocess.Popen:
        proc = self.start(f"worker{len(self.worker_logs)}", ["flask", "--app", "web", "worker"])
        self.worker_logs.append(proc.log)
        return proc

    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            self.stop(proc)


def _ready(host: str) -> bool:
    try:
        return requests.get(f"{host}/readyz", timeout=2).status_code == 200
    except requests.RequestException:  # not listening yet, or still building the app
        return False


def wait_for(condition, what: str, timeout: float = 60, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{p.args} exited: {p.log.read_text()[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Api:
    def __init__(self, host: str, token: str):
        self.host, self.headers = host, {"Authorization": f"Bearer {token}"}

    @classmethod
    def login(cls, host: str, username: str) -> Api:
        r = requests.post(
            f"{host}/api/v1/token", json={"username": username, "password": PASSWORD}, timeout=10
        )
        assert r.status_code == 200, r.text
        return cls(host, r.json()["token"])

    def on(self, host: str) -> Api:
        return Api(host, self.headers["Authorization"].split()[1])

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.host}/api/v1{path}", headers=self.headers, timeout=30)

    def post(self, path: str, body=None) -> requests.Response:
        return requests.post(
            f"{self.host}/api/v1{path}", json=body or {}, headers=self.headers, timeout=30
        )

    def fire(self, case_id: int, trigger: str, body=None) -> requests.Response:
        return self.post(f"/cases/{case_id}/transitions/{trigger}", body)


@pytest.fixture
def layout(tmp_path, pg_url):
    from web.schema import upgrade_database

    upgrade_database(pg_url)  # once, before any worker starts, as `flask --app web db upgrade`
    layout = Layout(tmp_path, pg_url)
    # The test's own view of the same database and store, to set cases up and to look.
    layout.rt = Runtime(
        Database(pg_url),
        replace(Settings(), publicity_days=0, demo_short_publicity=True),
        LocalFolderStore(tmp_path / "shared"),
    )
    layout.people = make_people(layout.rt)
    try:
        layout.start_web()
        yield layout
    finally:
        layout.stop_all()
        layout.rt.db.dispose()


def letters_of(rt, case_ids) -> dict[int, Letter]:
    with rt.db.session() as s:
        return {x.id: x for x in s.query(Letter).filter(Letter.case_id.in_(case_ids))}


def log_entries(logs: list[Path]) -> list[dict]:
    return [
        json.loads(line)
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("{")
    ]


def stored_events(logs: list[Path]) -> Counter:
    """How many times each letter's bytes were stored, from the workers' JSON log lines."""
    return Counter(e["letter_id"] for e in log_entries(logs) if e.get("event") == "letter_stored")


def test_two_hosts_share_cases_races_letters_and_a_killed_worker(layout):
    a, b = layout.hosts
    people, rt = layout.people, layout.rt
    worker = layout.start_worker()

    # A case created through one host is acted on through the other.
    owner_a = Api.login(a, people.owner.username)
    households = [{**h, "area": str(h["area"])} for h in application()["households"]]
    created = owner_a.post("/cases", {**application(), "households": households})
    # Behind gunicorn too, the Server header names neither the software nor its version.
    assert created.headers["Server"] == "jiati"
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert owner_a.on(b).fire(case_id, "withdraw").status_code == 200
    assert owner_a.get(f"/cases/{case_id}").json()["state"] == "withdrawn"

    # 20 clerks' clicks on one case, split across both hosts: exactly one acceptance.
    race = Journey(rt, people).case_in("submitted")
    clerks = [Api.login(host, people.clerk.username) for host in (a, b)]
    start = threading.Barrier(20)

    def accept(i: int) -> int:
        start.wait()
        return clerks[i % 2].fire(race, "accept").status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = Counter(pool.map(accept, range(20)))
    assert statuses == {200: 1, 409: 19}

    # The letter it issued, rendered once by the worker, is the same bytes through both hosts.
    (letter,) = letters_of(rt, [race]).values()
    path = f"/cases/{race}/letters/{letter.id}"
    wait_for(
        lambda: letters_of(rt, [race])[letter.id].sha256 is not None,
        "the worker to store the acceptance letter",
        procs=[worker],
    )
    via_a, via_b = clerks[0].get(path), clerks[1].get(path)
    assert via_a.status_code == via_b.status_code == 200
    assert via_a.content == via_b.content and via_a.content.startswith(b"%PDF")
    assert letters_of(rt, [race])[letter.id].sha256 == via_a.headers["ETag"].strip('"')
    layout.stop(worker)
    # The request that accepted the case and the job that rendered its letter log one id.
    (job,) = [e for e in log_entries(layout.worker_logs) if e.get("letter_id") == letter.id]
    web = log_entries([p.log for p in layout.procs[:2]])
    assert any(e.get("request_id") == job["request_id"] and "accept" in e["msg"] for e in web)

    # A batch of 50 letters (corrections asked of five cases, ten times each) while no worker
    # runs: the letters are numbered at once, their rendering waits in Redis.
    batch = [Journey(rt, people).case_in("submitted") for _ in range(5)]
    owners = [Api.login(host, people.owner.username) for host in (a, b)]

    def ten_corrections(n: int) -> None:
        for round_ in range(10):
            r = clerks[(n + round_) % 2].fire(batch[n], "request_correction", {"items": [f"补充说明第{round_ + 1}项"]})  # fmt: skip
            assert r.status_code == 200, r.text
            if round_ < 9:
                r = owners[(n + round_ + 1) % 2].fire(batch[n], "resubmit")
                assert r.status_code == 200, r.text

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(ten_corrections, range(5)))
    issued = letters_of(rt, batch)
    assert len(issued) == 50 and not any(x.sha256 for x in issued.values())
    assert len({x.number for x in issued.values()}) == 50

    # The worker is killed (SIGKILL: no goodbye) part-way through the batch...
    def rendered() -> dict[int, str]:
        return {i: x.sha256 for i, x in letters_of(rt, batch).items() if x.sha256}

    killed = layout.start_worker()
    wait_for(lambda: len(rendered()) >= 5, "the first letters of the batch", procs=[killed])
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    before = rendered()
    assert 5 <= len(before) < 50, "the worker finished before it could be killed"

    # ...and a new one finishes it: all 50 rendered, none twice, none changed.
    survivor = layout.start_worker()
    wait_for(lambda: len(rendered()) == 50, "the whole batch", timeout=90, procs=[survivor])
    layout.stop(survivor)
    after = rendered()
    assert {i: after[i] for i in before} == before
    assert all(rt.store.matches(sha) for sha in after.values())
    stores = stored_events(layout.worker_logs)
    assert {i: stores[i] for i in issued} == dict.fromkeys(issued, 1)
    assert letters_of(rt, batch).keys() == issued.keys()  # no letter added, none numbered again
