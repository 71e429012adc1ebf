"""What both Huey queues share (Redis for several hosts, SQLite for the embedded default): every
job of the registry as a Huey task with the same retries, the periodic schedule as periodic
tasks, the request id carried in the message, the exclusive jobs run under the queue's lock, and
a job cut off by a graceful stop put back in the queue. Each queue brings its Huey instance (its
storage) and its lock.
"""

from __future__ import annotations

import logging
import os
import socket
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from huey import Huey, crontab
from huey import signals as huey_signals

from ..data.db import begin_unit_of_work
from ..jobs import queue, registry

if TYPE_CHECKING:
    from ..data.runtime import Runtime

log = logging.getLogger(__name__)
# A job that raises (a database that went away, a full disk) is tried again 10 s later, five
# times; what still fails is left to the sweeps, which find it again from the database.
RETRIES, RETRY_DELAY = 5, 10


class HueyScheduler:
    def __init__(self, huey: Huey):
        self.huey = huey
        self.runtime: Runtime | None = None
        self.owner = f"{socket.gethostname()}:{os.getpid()}"
        self.tasks = {job: self._register(job) for job in registry.JOBS}
        self._register_periodic()

        @self.huey.signal(huey_signals.SIGNAL_INTERRUPTED)
        def _requeue(signal, task, *args, **kwargs):  # noqa: ANN001
            # A graceful stop (SIGTERM, SIGINT, the end of a web process) puts the jobs it cut
            # off back in the queue.
            self.huey.enqueue(task)

    def bind(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def _lock(self, name: str) -> AbstractContextManager[bool]:
        """True while this run holds `name`; False when another worker does."""
        raise NotImplementedError

    def _register(self, job: str):
        fn = registry.JOBS[job]

        def run(*ids: int, request_id: str | None = None) -> None:
            begin_unit_of_work()
            token = queue.REQUEST_ID.set(request_id)
            try:
                if job in registry.EXCLUSIVE:
                    with self._lock(f"{job}:{ids[0]}") as held:
                        if held:
                            fn(self.runtime, *ids)
                else:
                    fn(self.runtime, *ids)
            finally:
                queue.REQUEST_ID.reset(token)

        run.__name__ = job
        return self.huey.task(retries=RETRIES, retry_delay=RETRY_DELAY, name=job)(run)

    def _register_periodic(self) -> None:
        for each in registry.PERIODIC:

            def run(job=each.job) -> None:  # noqa: ANN001 - bind this loop's job
                job(self.runtime)

            self.huey.periodic_task(crontab(**each.when), name=each.name)(run)

    def schedule(self, job: str, *ids: int) -> None:
        self.tasks[job](*ids, request_id=queue.REQUEST_ID.get())


def alive(pid: int) -> bool:
    """Whether a process of this host still runs (for locks left by a killed worker)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
