"""Jobs through Redis with Huey, for several hosts (`REDIS_URL`); `flask --app web worker` runs
the consumer.

Why Huey: small, well kept, pure Python, Redis support without a broker of its own, retries with
a delay, periodic tasks, and a consumer that runs inside our own `flask` command; Celery would
bring far more machinery than our handful of kinds of job need, and RQ forks a process per job.

What Huey does not do is acknowledge a message: a worker killed mid-job loses that message.
Nothing is lost for all that, because every job can be found again from the database — the
sweeps (`render_missing_letters`, `print_unfinished_batches`) run when a worker starts and every
few minutes — and every job can run twice. Redis itself keeps the queue in memory: a restart
empties it, so each minute a worker looks for the key it left there and, finding it gone, runs
the same recovery as at its start. A per-letter (and per-batch) lock, with an expiry and
cleared for dead processes of this host at start, keeps two workers from doing one at once. It is
redis-py's own lock: released only by the run that holds it (a token compared in Redis), so a run
that outlived the expiry cannot free the lock a second worker has taken since.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from huey import RedisHuey, crontab
from redis.exceptions import LockNotOwnedError

from ..jobs import registry
from .huey_common import HueyScheduler, alive

log = logging.getLogger(__name__)
LOCK_SECONDS = 300


class HueyRedisScheduler(HueyScheduler):
    def __init__(self, url: str, name: str = "jiati"):
        self.url = url
        self.name = name
        super().__init__(RedisHuey(name, url=url, results=False, utc=True))
        self.redis = self.huey.storage.conn
        self.huey.periodic_task(crontab(minute="*"), name="queue_lost")(self.recover_lost_queue)

    def describe(self) -> str:
        return f"Redis ({self.redis.connection_pool.connection_kwargs.get('host', '?')})"

    def check(self) -> None:
        self.redis.ping()

    # --- a Redis that lost its queue (restarted, flushed, failed over without its data)

    @property
    def _marker(self) -> str:
        return f"{self.name}:queue-kept"

    def recover_lost_queue(self) -> bool:
        """Whether the queue was found emptied since the last look (then its jobs are found
        again from the database, as when a worker starts)."""
        if self.redis.set(self._marker, "1", nx=True) is None:
            return False  # still there: nothing was lost
        log.warning("the Redis queue was emptied (a restart?): finding its jobs again")
        registry.recover(self.runtime)
        return True

    # --- the per-letter lock --------------------------------------------------------------

    def _lock_key(self, name: str) -> str:
        return f"{self.name}:lock:{name}"

    @contextmanager
    def _lock(self, name: str) -> Iterator[bool]:
        """True while this run holds the job's lock; False when another worker does."""
        lock = self.redis.lock(self._lock_key(name), timeout=LOCK_SECONDS, blocking=False)
        # The token names this host and process (for `clear_dead_locks`) and this run alone:
        # two threads of one worker must not release each other's lock either.
        held = lock.acquire(token=f"{self.owner}:{uuid.uuid4().hex}")
        if not held:
            log.info("%s is being done by another worker", name)
        try:
            yield held
        finally:
            if held:
                try:
                    lock.release()
                except LockNotOwnedError:
                    log.warning(
                        "%s took longer than its %d s lock, which has expired", name, LOCK_SECONDS
                    )

    def clear_dead_locks(self) -> int:
        """Locks held by processes of this host that no longer run (a killed worker)."""
        host = socket.gethostname()
        cleared = 0
        for key in self.redis.scan_iter(match=self._lock_key("*")):
            token = (self.redis.get(key) or b"").decode()
            who, _, rest = token.partition(":")
            pid = rest.partition(":")[0]
            if who == host and pid.isdigit() and not alive(int(pid)):
                try:
                    # Deleted only if that token still holds it, as the lock's own release does.
                    self.redis.lock(key).do_release(token)
                except LockNotOwnedError:
                    continue  # expired and taken by a live worker meanwhile
                cleared += 1
        return cleared

    def run_worker(self, threads: int = 2) -> None:
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        cleared = self.clear_dead_locks()
        if cleared:
            log.info("cleared %d locks of stopped workers", cleared)
        self.redis.set(self._marker, "1")
        registry.recover(self.runtime)
        consumer = self.huey.create_consumer(workers=threads, worker_type="thread")
        consumer.run()
