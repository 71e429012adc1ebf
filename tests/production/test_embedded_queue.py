"""The embedded default (no Redis) runs its own jobs: the serving process's consumer takes them
from the instance folder's queue file, retries what failed on the periodic schedule, keeps what
was queued across a restart, and shares the file with other consumers without running a job
twice. Real consumer threads, bounded waits."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager

import click
import pytest
from flask.cli import run_command
from sqlalchemy import select

import web
from web.schema import upgrade_database
from workflow.adapters import huey_sqlite
from workflow.adapters.huey_sqlite import SqliteScheduler
from workflow.data.models import OutboxMessage
from workflow.jobs import registry

from ..conftest import make_app
from ..journey import ROSTER, Journey, make_people
from ..notify.test_sms_gateway import FakeGateway


def wait_until(what: str, done, seconds: float = 20.0, step=None) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        if step:
            step()
        time.sleep(0.2)


@contextmanager
def fake_gateway(script):
    server = FakeGateway(script)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(tmp_path, clock, **settings):
    """The app as a server builds it: its consumer started by the factory, stopped after."""
    upgrade_database(f"sqlite:///{tmp_path / 'app.sqlite3'}")  # before the consumer looks
    app = make_app(tmp_path, clock, QUEUE_IMMEDIATE=False, QUEUE_CONSUMER=True, **settings)
    jobs = app.extensions["jiati"].jobs
    try:
        assert jobs.running()
        yield app
    finally:
        jobs.stop()
        app.extensions["jiati"].db.dispose()


def outbox(rt):
    with rt.db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.status != "none")))


def test_a_gateway_that_fails_twice_still_delivers_every_signing_link_exactly_once(tmp_path, clock):
    with (
        fake_gateway(["fail", "fail"]) as gateway,
        serving(
            tmp_path,
            clock,
            SMS_GATEWAY_URL=f"http://127.0.0.1:{gateway.server_port}/sms",
            SMS_GATEWAY_KEY="k3y",
            QUEUE_PERIODIC_SECONDS=1,  # the minute's tick, every second
        ) as app,
    ):
        rt = app.extensions["jiati"]
        Journey(rt, make_people(rt)).case_in("consultation")
        # Nobody runs a command: time passes (the back-off of 30 s), the process does the rest.
        wait_until(
            "every household's link delivered",
            lambda: len(gateway.delivered) >= len(ROSTER),
            step=lambda: clock.advance(seconds=31),
        )
        # A few more ticks of the schedule: nothing goes out a second time.
        for _ in range(3):
            clock.advance(hours=1)
            time.sleep(1.1)
        texts = Counter(gateway.delivered)
        assert sorted(phone for phone, _ in texts) == sorted(h["phone"] for h in ROSTER)
        assert set(texts.values()) == {1}
        rows = outbox(rt)
        assert {m.status for m in rows} == {"sent"}
        assert gateway.requests == len(ROSTER) + 2 == sum(m.attempts for m in rows)
        assert sorted(m.attempts for m in rows)[-2:] == [2, 2]


def test_a_job_queued_before_a_restart_runs_after_it(tmp_path, clock):
    # The first process queues the households' links and stops before any consumer took them.
    first = make_app(tmp_path, clock, QUEUE_IMMEDIATE=False)
    rt = first.extensions["jiati"]
    Journey(rt, make_people(rt)).case_in("consultation")
    queued = [rt.jobs.huey.deserialize_task(d) for d in rt.jobs.huey.storage.enqueued_items()]
    links = [t for t in queued if t.name == "deliver_outbox"]
    assert len(links) >= len(ROSTER) and {m.status for m in outbox(rt)} == {"pending"}
    first.extensions["jiati"].db.dispose()

    # The same instance folder, a new process: the queue file still holds them, and its
    # consumer takes every one (none is left in the file) and sends each message once.
    with serving(tmp_path, clock) as app:
        rt = app.extensions["jiati"]
        wait_until("the queued links sent", lambda: {m.status for m in outbox(rt)} == {"sent"})
        wait_until("the queue file empty", lambda: rt.jobs.huey.pending_count() == 0)
        assert all(m.attempts == 1 for m in outbox(rt))


@pytest.fixture
def probes(monkeypatch):
    """A job and a periodic task that record each run (which consumer ran it, with what), slow
    enough that two consumers compete for the queue."""
    runs: list[tuple[str, tuple]] = []
    lock = threading.Lock()

    def job(rt, *ids):
        time.sleep(0.005)
        with lock:
            runs.append((rt, ids))

    def tick(rt):
        with lock:
            runs.append(("tick", (time.time(),)))

    monkeypatch.setitem(registry.JOBS, "deliver_outbox", job)
    monkeypatch.setattr(
        registry, "PERIODIC", (registry.Periodic("probe", tick, {"minute": "*"}, "a probe"),)
    )
    monkeypatch.setattr(registry, "recover", lambda rt: None)
    return runs


def test_two_consumers_on_one_queue_file_run_each_job_once(tmp_path, probes):
    path = tmp_path / "queue.sqlite3"
    one = SqliteScheduler(path, periodic_seconds=1)
    other = SqliteScheduler(path, periodic_seconds=1)
    one.bind("one")  # what each consumer hands its jobs: here, its name
    other.bind("other")
    for n in range(200):
        one.schedule("deliver_outbox", n)
    started = time.time()
    one.start(2)
    other.start(2)
    try:
        wait_until("every job run", lambda: len([r for r in probes if r[0] != "tick"]) >= 200)
        time.sleep(3)  # ticks of the periodic schedule, seen by both schedulers
    finally:
        one.stop()
        other.stop()
    seconds = time.time() - started
    jobs = Counter(ids for who, ids in probes if who != "tick")
    assert len(jobs) == 200 and set(jobs.values()) == {1}
    assert {who for who, _ in probes} >= {"one", "other"}  # both took jobs
    assert one.huey.pending_count() == 0
    # One run per second of the schedule, not one per scheduler (that would be twice as many).
    ticks = [ids[0] for who, ids in probes if who == "tick"]
    print(f"{len(ticks)} ticks in {seconds:.1f} s")
    assert 1 <= len(ticks) <= seconds + 1


def test_a_letter_is_locked_across_consumers_and_a_dead_holder_frees_it(tmp_path, monkeypatch):
    path = tmp_path / "queue.sqlite3"
    one, other = SqliteScheduler(path), SqliteScheduler(path)
    with one._lock("render_letter:7") as held:
        assert held
        with other._lock("render_letter:7") as second:
            assert not second
    with other._lock("render_letter:7") as after:
        assert after  # released by its holder

    # A holder killed mid-job: its process is gone, the next run takes the lock over.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)  # fmt: skip
    one.owner = f"{one.owner.split(':')[0]}:{dead.stdout.strip()}"
    killed = one._lock("print_batch:3")
    assert killed.__enter__() is True  # and never released
    with other._lock("print_batch:3") as taken:
        assert taken

    # A run that outlived its lock leaves the next holder's lock alone.
    monkeypatch.setattr(huey_sqlite, "LOCK_SECONDS", 0.2)
    slow = one._lock("print_batch:9")
    assert slow.__enter__() is True
    time.sleep(0.3)
    with other._lock("print_batch:9") as taken_over:
        assert taken_over
        slow.__exit__(None, None, None)
        monkeypatch.setattr(huey_sqlite, "LOCK_SECONDS", 300)
        with one._lock("print_batch:9") as third:
            assert not third


def test_the_factory_starts_one_consumer_per_process_and_says_so(tmp_path, clock):
    with serving(tmp_path, clock) as app:
        again = make_app(tmp_path, clock, QUEUE_IMMEDIATE=False, QUEUE_CONSUMER=True)
        assert not again.extensions["jiati"].jobs.running()  # this file's is running already
        ready = app.test_client().get("/readyz").get_json()["checks"]["queue"]
        assert ready["ok"]
        out = app.test_cli_runner().invoke(args=["check"]).output
        assert "queue:    in-process: huey on SQLite" in out and "consumer running" in out
        assert "REDIS_URL: unset: each process of this host runs the jobs" in out
        again.extensions["jiati"].db.dispose()
    # A consumer that died is a queue not ready.
    app.extensions["jiati"].jobs.thread = threading.Thread(target=lambda: None)
    app.extensions["jiati"].jobs.thread.start()
    app.extensions["jiati"].jobs.thread.join()
    r = app.test_client().get("/readyz")
    assert (
        r.status_code == 503 and "consumer has stopped" in r.get_json()["checks"]["queue"]["error"]
    )


@pytest.mark.parametrize(
    "command, params, reloader_child, runs",
    [
        (None, {}, False, True),  # gunicorn, or any WSGI server
        (run_command, {"reload": False}, False, True),  # flask run
        (run_command, {"reload": True}, False, False),  # flask run --debug: the watcher
        (run_command, {"reload": True}, True, True),  # ... and the child that serves
        (click.Command("demo"), {}, False, False),  # any other flask command
    ],
)
def test_only_the_serving_process_runs_the_consumer(
    tmp_path, clock, monkeypatch, command, params, reloader_child, runs
):
    app = make_app(tmp_path, clock)
    app.config.update(TESTING=False, QUEUE_IMMEDIATE=False, QUEUE_CONSUMER=None)
    if reloader_child:
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    else:
        monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    if command is None:
        assert web._runs_jobs(app) is runs
    else:
        with click.Context(command) as ctx:
            ctx.params.update(params)
            assert web._runs_jobs(app) is runs
    app.extensions["jiati"].db.dispose()


def test_the_worker_runs_the_queue_file_in_the_foreground_until_stopped(tmp_path, clock):
    app = make_app(tmp_path, clock, QUEUE_IMMEDIATE=False)
    rt = app.extensions["jiati"]
    Journey(rt, make_people(rt)).case_in("consultation")
    assert {m.status for m in outbox(rt)} == {"pending"}
    env = {
        **os.environ,
        "ELEVATOR_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": app.config["DATABASE_URL"],
        "FLASK_RENDER_PDF": "false",
        "FLASK_SECRET_KEY": "test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "web", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until("the worker sent them", lambda: {m.status for m in outbox(rt)} == {"sent"}, 30)
        wait_until("the queue file empty", lambda: rt.jobs.huey.pending_count() == 0)
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=20)
    assert worker.returncode == 0, err.decode()[-2000:]
    rt.db.dispose()
