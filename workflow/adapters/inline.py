"""Jobs run in the process that schedules them, right away (the embedded default: `make run`
needs no queue service). A failing job is logged and left to the safety nets: a letter renders
on its first download, or when `flask --app web worker` sweeps."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..jobs.registry import JOBS

if TYPE_CHECKING:
    from ..data.runtime import Runtime

log = logging.getLogger(__name__)


class InlineScheduler:
    def __init__(self) -> None:
        self.runtime: Runtime | None = None

    def bind(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def describe(self) -> str:
        return "in-process (no queue configured)"

    def schedule(self, job: str, *ids: int) -> None:
        try:
            JOBS[job](self.runtime, *ids)
        except Exception:  # noqa: BLE001 - see the module docstring
            log.exception("job %s%r failed; it will be retried by the safety nets", job, ids)

    def check(self) -> None:
        return None
