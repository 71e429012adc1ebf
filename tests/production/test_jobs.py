"""Letters are numbered in their transition and rendered by a job after it commits; a job can
run twice, fail, or never arrive, and each letter still ends with exactly one stored file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from workflow import services
from workflow.adapters import huey_redis
from workflow.adapters.huey_redis import HueyRedisScheduler
from workflow.data.models import Letter, StoredFile
from workflow.jobs import queue as jobs_queue
from workflow.jobs import registry as jobs

from ..conftest import immediate_jobs


class CountingRenderer:
    """A stand-in for WeasyPrint that remembers what it was asked, and whether the letter was
    already committed when it was asked (a second connection can see it)."""

    def __init__(self, rt):
        self.rt, self.calls, self.committed = rt, [], []

    def letter(self, context):
        with self.rt.db.session() as s:
            self.committed.append(
                s.query(Letter).filter_by(number=context["number"]).one_or_none() is not None
            )
        self.calls.append(context["number"])
        return b"%PDF-1.7 " + context["number"].encode() + b"\n%%EOF"

    def document(self, context):
        return b"%PDF-1.7 document\n%%EOF"


@pytest.fixture
def inline_rt(rt, tmp_path):
    rt.renderer = CountingRenderer(rt)
    immediate_jobs(rt, tmp_path)
    return rt


def the_letter(rt, case_id):
    with rt.db.session() as s:
        return s.query(Letter).filter_by(case_id=case_id).one()


def test_the_letter_is_rendered_once_after_its_transition_committed(inline_rt, people):
    from ..journey import Journey

    rt = inline_rt
    case_id = Journey(rt, people).case_in("submitted")
    outcome = services.fire(rt, people.clerk.id, case_id, "accept")
    letter = the_letter(rt, case_id)
    assert outcome.letters == [letter.id]
    assert rt.renderer.calls == [letter.number] and rt.renderer.committed == [True]
    assert rt.store.read(letter.sha256).startswith(b"%PDF")


def test_running_the_render_job_again_does_nothing(inline_rt, people):
    from ..journey import Journey

    rt = inline_rt
    case_id = Journey(rt, people).case_in("review")
    letter = the_letter(rt, case_id)
    assert jobs.render_letter(rt, letter.id) is False
    assert jobs.render_missing_letters(rt) == 0
    assert rt.renderer.calls == [letter.number]
    assert the_letter(rt, case_id).sha256 == letter.sha256


class Unreachable:
    def schedule(self, job, *ids):
        raise ConnectionError("Redis is down")

    def check(self):
        raise ConnectionError("Redis is down")

    def describe(self):
        return "down"


def test_a_queue_that_cannot_be_reached_costs_the_transition_nothing(inline_rt, people):
    from ..journey import Journey

    rt = inline_rt
    case_id = Journey(rt, people).case_in("submitted")
    rt.jobs = Unreachable()
    outcome = services.fire(rt, people.clerk.id, case_id, "accept")
    assert outcome.state == "review"
    letter = the_letter(rt, case_id)
    assert letter.number == "枣阳住建梯受〔2026〕1号" and letter.sha256 is None
    # The next download renders it (the safety net), once.
    data = services.letter_file(rt, people.clerk.id, letter.id).data
    assert data == services.letter_file(rt, people.clerk.id, letter.id).data
    assert rt.renderer.calls == [letter.number]


def test_the_sweep_renders_letters_whose_job_was_lost(inline_rt, people):
    from ..journey import Journey

    rt = inline_rt
    scheduler = rt.jobs
    rt.jobs = Unreachable()
    ids = [Journey(rt, people).case_in("review") for _ in range(2)]
    assert all(the_letter(rt, c).sha256 is None for c in ids)
    rt.jobs = scheduler
    assert jobs.render_missing_letters(rt) == 2
    assert all(the_letter(rt, c).sha256 for c in ids)
    assert len(rt.renderer.calls) == 2


def test_two_renders_racing_store_the_first_bytes_only(inline_rt, people):
    from ..journey import Journey

    rt = inline_rt
    rt.jobs = Unreachable()
    case_id = Journey(rt, people).case_in("review")
    letter = the_letter(rt, case_id)
    original = rt.renderer.letter

    def late_rival(context):
        # While this render runs, another worker stores its own bytes first.
        rt.renderer.letter = original
        assert jobs.render_letter(rt, letter.id) is True
        return b"%PDF-1.7 other bytes\n%%EOF"

    rt.renderer.letter = late_rival
    assert jobs.render_letter(rt, letter.id) is False
    stored = the_letter(rt, case_id).sha256
    assert rt.store.read(stored).endswith(letter.number.encode() + b"\n%%EOF")


def test_redis_jobs_carry_the_request_id_and_run_in_the_worker(inline_rt, people, redis_url):
    from ..journey import Journey

    rt = inline_rt
    queue = HueyRedisScheduler(redis_url, name="jiati-test")
    queue.bind(rt)
    rt.jobs = queue
    case_id = Journey(rt, people).case_in("submitted")
    queue.huey.flush()  # what the steps before queued (signing links by SMS, …)
    token = jobs_queue.REQUEST_ID.set("req-0123456789")
    try:
        services.fire(rt, people.clerk.id, case_id, "accept")
    finally:
        jobs_queue.REQUEST_ID.reset(token)
    assert the_letter(rt, case_id).sha256 is None  # queued, not rendered in the request
    # The letter's render, and the messages telling who the case now waits on.
    queued = [queue.huey.dequeue() for _ in range(len(queue.huey))]
    (task,) = [t for t in queued if t.name == "render_letter"]
    assert {t.name for t in queued} == {"render_letter", "deliver_outbox"}
    assert [t.kwargs for t in queued] == [{"request_id": "req-0123456789"}] * len(queued)
    seen = []
    rt.renderer.letter = lambda ctx, f=rt.renderer.letter: (
        seen.append(jobs_queue.REQUEST_ID.get()) or f(ctx)
    )
    queue.huey.execute(task)
    assert seen == ["req-0123456789"]
    assert the_letter(rt, case_id).sha256


def test_a_letter_being_rendered_elsewhere_is_left_to_that_worker(inline_rt, people, redis_url):
    from ..journey import Journey

    rt = inline_rt
    queue = HueyRedisScheduler(redis_url, name="jiati-test")
    queue.bind(rt)
    rt.jobs = queue
    case_id = Journey(rt, people).case_in("review")
    letter = the_letter(rt, case_id)
    queue.redis.set(queue._lock_key(f"render_letter:{letter.id}"), "otherhost:1")
    queue.huey.execute(queue.huey.dequeue())
    assert the_letter(rt, case_id).sha256 is None and rt.renderer.calls == []


def test_a_killed_workers_locks_are_cleared_when_a_worker_starts(redis_url):
    queue = HueyRedisScheduler(redis_url, name="jiati-test")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)  # fmt: skip
    host = socket.gethostname()
    # A lock's token: host, process, and the run that took it.
    queue.redis.set(queue._lock_key("render_letter:1"), f"{host}:{dead.stdout.strip()}:9f2c")
    queue.redis.set(queue._lock_key("render_letter:2"), f"{host}:{os.getpid()}:3b7a")  # alive
    queue.redis.set(queue._lock_key("render_letter:3"), "another-host:1")
    assert queue.clear_dead_locks() == 1
    assert not queue.redis.exists(queue._lock_key("render_letter:1"))
    assert queue.redis.exists(queue._lock_key("render_letter:2"))
    assert queue.redis.exists(queue._lock_key("render_letter:3"))


def test_a_run_that_outlived_its_lock_leaves_the_next_holders_lock_alone(
    redis_url, monkeypatch, caplog
):
    monkeypatch.setattr(huey_redis, "LOCK_SECONDS", 1)
    slow = HueyRedisScheduler(redis_url, name="jiati-test")
    other = HueyRedisScheduler(redis_url, name="jiati-test")
    other.owner = "another-host:4242"
    key = slow._lock_key("print_batch:7")

    slow_run = slow._lock("print_batch:7")
    assert slow_run.__enter__() is True
    time.sleep(1.2)  # the slow run is still printing when its lock expires
    with other._lock("print_batch:7") as taken_over:
        assert taken_over
        slow_run.__exit__(None, None, None)  # the slow run ends while the other one works
        assert other.redis.get(key).decode().startswith("another-host:4242:")
        with slow._lock("print_batch:7") as third:
            assert not third  # the lock still keeps everyone else out
    assert not other.redis.exists(key)  # its holder released it
    assert "took longer than its" in caplog.text


def test_stored_files_are_recorded_once_per_letter(inline_rt, people):
    from ..journey import Journey

    rt = inline_rt
    Journey(rt, people).case_in("approved")
    with rt.db.session() as s:
        letters = s.query(Letter).all()
        assert len(letters) == 2 and all(x.sha256 for x in letters)
        assert {x.sha256 for x in letters} <= {f.sha256 for f in s.query(StoredFile)}


def test_the_queue_runs_the_daily_check_and_keeps_the_statistics_warm(redis_url):
    queue = HueyRedisScheduler(redis_url, name="jiati-test")
    periodic = {t.name for t in queue.huey._registry.periodic_tasks}
    assert {"sweep", "outbox", "daily_check", "statistics"} <= periodic


def test_the_daily_check_run_twice_tells_each_desk_once(inline_rt, people):
    from datetime import date

    from workflow.data.models import OutboxMessage

    from ..journey import Journey

    Journey(inline_rt, people).case_in("submitted")
    flags, _ = jobs.daily_check(inline_rt, date(2026, 12, 31))
    jobs.daily_check(inline_rt, date(2026, 12, 31))
    with inline_rt.db.session() as s:
        desk = s.query(OutboxMessage).filter_by(kind="deadline").all()
    assert flags and [m.desk for m in desk] == ["clerk"]


def test_a_batch_print_goes_through_the_queue_not_the_request(inline_rt, people, redis_url):
    from workflow.data.models import BatchPrint

    from ..journey import Journey

    rt = inline_rt
    Journey(rt, people).case_in("approved")
    rt.renderer.batch = lambda contexts, progress=None: b"%PDF-1.7 batch\n%%EOF"
    queue = HueyRedisScheduler(redis_url, name="jiati-test")
    queue.bind(rt)
    rt.jobs = queue
    with rt.db.session() as s:
        ids = [x.id for x in s.query(Letter).order_by(Letter.id)]
    batch_id = services.request_batch(rt, people.clerk.id, ids)
    with rt.db.session() as s:
        assert s.get(BatchPrint, batch_id).state == "queued"  # nothing laid out in the request
    (task,) = [queue.huey.dequeue() for _ in range(len(queue.huey))]
    assert task.name == "print_batch" and task.args == (batch_id,)
    # Another worker holds the batch: this one leaves it alone.
    queue.redis.set(queue._lock_key(f"print_batch:{batch_id}"), "otherhost:1")
    queue.huey.execute(task)
    with rt.db.session() as s:
        assert s.get(BatchPrint, batch_id).state == "queued"
    queue.redis.delete(queue._lock_key(f"print_batch:{batch_id}"))
    queue.huey.execute(task)
    with rt.db.session() as s:
        row = s.get(BatchPrint, batch_id)
        assert (row.state, row.done, row.total) == ("done", 2, 2) and row.sha256


def test_jobs_a_restarted_redis_lost_are_queued_again_within_a_minute(inline_rt, people, redis_url):
    from ..journey import Journey

    rt = inline_rt
    queue = HueyRedisScheduler(redis_url, name="jiati-test")
    queue.bind(rt)
    rt.jobs = queue
    assert "queue_lost" in {t.name for t in queue.huey._registry.periodic_tasks}  # every minute
    case_id = Journey(rt, people).case_in("review")
    letter = the_letter(rt, case_id)
    queue.redis.set(queue._marker, "1")  # as a worker's start leaves it
    assert queue.recover_lost_queue() is False and len(queue.huey) > 0

    queue.redis.flushdb()  # Redis restarted: its queue and the worker's key are gone
    assert len(queue.huey) == 0 and letter.sha256 is None
    assert queue.recover_lost_queue() is True
    queued = [queue.huey.dequeue() for _ in range(len(queue.huey))]
    assert ("render_letter", (letter.id,)) in [(t.name, t.args) for t in queued]
    assert queue.recover_lost_queue() is False  # found once, not at every look
