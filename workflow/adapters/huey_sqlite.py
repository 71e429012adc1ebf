"""Jobs for the embedded default (no `REDIS_URL`): Huey's `SqliteHuey`, its queue in one SQLite
file of the instance folder (`queue.sqlite3`), run by a consumer inside the serving process
itself — worker threads and the scheduler that queues the periodic work. Nothing to run by hand
or from cron, and a restart loses nothing: a job is a row until a worker takes it, a retry
waits in the file's schedule, and a job a stopping process cut off is put back.

Several processes on one instance folder (gunicorn's workers, a `flask run` beside a
`flask --app web worker`) share the file, and still never run one job twice:
- a job is taken by one worker only: Huey's SQLite storage selects and deletes it inside one
  `BEGIN EXCLUSIVE` transaction;
- each tick of the periodic schedule is queued by one process only: the scheduler that claims
  the tick (a compare-and-set on a row of the same file, in one exclusive transaction) queues
  it, the others skip it; the start-up catch-up (`registry.recover`) is claimed the same way;
- a letter (or a batch print) is rendered by one worker at a time: its lock is a row of the
  same file, taken and released in exclusive transactions. Huey's own `lock_task` writes that
  same row, but on SQLite it has no expiry and no owner: a process killed while holding it
  would keep the letter locked for ever, and clearing all locks at start (Huey's
  `flush_locks`) would also free those of the live processes beside it. So the row carries its
  owner (host, process, run) and the time it was taken: a lock whose process has died, or that
  is older than `LOCK_SECONDS`, is taken over; a run releases only its own. SQLite's locking
  holds across processes and threads alike, where POSIX file locks belong to a process.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from huey import SqliteHuey
from huey.consumer import Consumer, Scheduler

from ..jobs import registry
from .huey_common import HueyScheduler, alive

log = logging.getLogger(__name__)
LOCK_SECONDS = 300
# An idle worker looks at the file at least this often (Redis wakes it; SQLite cannot).
POLL_SECONDS = 0.5
# A stopping process waits this long for the jobs it runs, then puts them back in the queue.
STOP_SECONDS = 10


class SqliteScheduler(HueyScheduler):
    def __init__(
        self,
        path: str | Path,
        name: str = "jiati",
        *,
        immediate: bool = False,
        periodic_seconds: int = 60,
    ):
        self.path = Path(path)
        self.periodic_seconds = periodic_seconds
        self.consumer: Consumer | None = None
        self.thread: threading.Thread | None = None
        # Immediate mode (tests) runs each job as it is scheduled, still through this file's
        # locks; the storage stays the file rather than Huey's in-memory one. It queues nothing
        # worth an fsync, so its file skips them (an app then costs 1 ms here, not 20).
        durable = {} if not immediate else {"fsync": False, "journal_mode": None}
        huey = SqliteHuey(
            name,
            filename=str(self.path),
            results=False,
            utc=True,
            immediate=immediate,
            immediate_use_memory=False,
            **durable,
        )
        super().__init__(huey)

    def describe(self) -> str:
        if self.huey.immediate:
            how = "each job run as it is scheduled"
        elif self.running():
            how = "consumer running in this process"
        else:
            how = "no consumer in this process"
        return (
            f"in-process: huey on SQLite {self.path} ({how}; {self.huey.pending_count()} waiting)"
        )

    def check(self) -> None:
        self.huey.pending_count()  # the file can be read
        if self.thread is not None and not self.thread.is_alive():
            raise RuntimeError("the in-process job consumer has stopped")

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    # --- rows of the queue's file: claims and locks -----------------------------------------

    def _key(self, what: str) -> str:
        return f"{self.huey.name}.{what}"

    def claim(self, what: str, period: int) -> bool:
        """True for the one caller that first claims `period` (a number that only grows) of
        `what`, across every process on this file."""
        storage = self.huey.storage
        with storage.db(commit=True) as cursor:
            cursor.execute(
                "select value from kv where queue = ? and key = ?",
                (self.huey.name, self._key(what)),
            )
            row = cursor.fetchone()
            if row is not None and int(bytes(row[0])) >= period:
                return False
            cursor.execute(
                "insert or replace into kv (queue, key, value) values (?, ?, ?)",
                (self.huey.name, self._key(what), str(period).encode()),
            )
            return True

    def _stale(self, holder: str) -> bool:
        host, pid, _run, taken = (holder.split(":") + ["", "", "", "0"])[:4]
        if time.time() - float(taken or 0) > LOCK_SECONDS:
            return True
        return host == socket.gethostname() and pid.isdigit() and not alive(int(pid))

    def _acquire(self, key: str, token: str) -> bool:
        with self.huey.storage.db(commit=True) as cursor:
            cursor.execute(
                "select value from kv where queue = ? and key = ?", (self.huey.name, key)
            )
            row = cursor.fetchone()
            if row is not None:
                holder = bytes(row[0]).decode()
                if not self._stale(holder):
                    return False
                log.warning("%s: taking over the lock of a stopped or late run %s", key, holder)
            cursor.execute(
                "insert or replace into kv (queue, key, value) values (?, ?, ?)",
                (self.huey.name, key, token.encode()),
            )
            return True

    def _release(self, key: str, token: str) -> bool:
        with self.huey.storage.db(commit=True) as cursor:
            cursor.execute(
                "delete from kv where queue = ? and key = ? and value = ?",
                (self.huey.name, key, token.encode()),
            )
            return cursor.rowcount == 1

    @contextmanager
    def _lock(self, name: str) -> Iterator[bool]:
        key = self._key(f"lock.{name}")
        token = f"{self.owner}:{uuid.uuid4().hex}:{time.time():.3f}"
        held = self._acquire(key, token)
        if not held:
            log.info("%s is being done by another worker", name)
        try:
            yield held
        finally:
            if held and not self._release(key, token):
                log.warning(
                    "%s took longer than its %d s lock, which was taken over", name, LOCK_SECONDS
                )

    # --- the consumer ------------------------------------------------------------------------

    def _consumer(self, threads: int, *, signals: bool) -> Consumer:
        return _Consumer(
            self.huey,
            claim=self.claim,
            periodic_seconds=self.periodic_seconds,
            signals=signals,
            workers=threads,
            worker_type="thread",
            max_delay=POLL_SECONDS,
            shutdown_timeout=STOP_SECONDS,
        )

    def _recover(self) -> None:
        """What a stopped process left undone, once per minute whatever the number of processes
        starting on this file (gunicorn's workers start together)."""
        if self.claim("recover", int(time.time() // 60)):
            registry.recover(self.runtime)

    def start(self, threads: int = 2) -> None:
        """The consumer in background threads of this process, stopped at exit (the app factory
        starts one per queue file and process)."""
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.consumer = self._consumer(threads, signals=False)
        self.thread = threading.Thread(target=self._serve, name="jobs", daemon=True)
        self.thread.start()
        atexit.register(self.stop)

    def _serve(self) -> None:
        try:
            self._recover()
        except Exception:  # noqa: BLE001 - the periodic sweeps catch up later
            log.exception("catching up at start failed; the sweeps will")
        self.consumer.run()

    def stop(self) -> None:
        """Let the jobs in hand finish (up to `STOP_SECONDS`), put back the rest, stop."""
        if self.consumer is None or self.thread is None:
            return
        self.consumer.stop(graceful=True)
        self.thread.join(STOP_SECONDS)
        self.consumer = self.thread = None
        atexit.unregister(self.stop)

    def run_worker(self, threads: int = 2) -> None:
        """`flask --app web worker` without Redis: the same consumer in the foreground, beside
        (or instead of) the web processes' own; SIGINT or SIGTERM stops it."""
        self._recover()
        self._consumer(threads, signals=True).run()

    def run_queued(self) -> int:
        """Run, here and now, every job waiting in the file (not those waiting for a retry's
        time); how many ran."""
        ran = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            ran += 1
        return ran


class _Scheduler(Scheduler):
    """Huey's scheduler, queuing each tick of the periodic schedule only if it claims it."""

    def __init__(self, *args, claim, periodic_seconds: int, **kwargs):  # noqa: ANN001
        super().__init__(*args, **kwargs)
        self.claim = claim
        self.periodic_task_seconds = periodic_seconds

    def enqueue_periodic_tasks(self, now):  # noqa: ANN001
        stamp = time.time()
        if not self.claim("periodic", int(stamp // self.periodic_task_seconds)):
            return
        super().enqueue_periodic_tasks(datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None))


class _Consumer(Consumer):
    def __init__(  # noqa: ANN001
        self, huey, *, claim, periodic_seconds: int, signals: bool, **options
    ):
        self._claim = claim
        self._periodic_seconds = periodic_seconds
        self._signals = signals
        super().__init__(huey, **options)

    def _create_scheduler(self):
        return _Scheduler(
            huey=self.huey,
            stop_flag=self.stop_flag,
            interval=self.scheduler_interval,
            periodic=self.periodic,
            claim=self._claim,
            periodic_seconds=self._periodic_seconds,
        )

    def _set_signal_handlers(self):
        # Inside a web server the signals are the server's: it stops us through `atexit`.
        if self._signals:
            super()._set_signal_handlers()
