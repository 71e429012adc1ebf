"""Handing work to the queue: the helpers every room schedules through (a leaf).

Work that must not run inside a request is a plain function of ids (`jobs.registry` names them).
Every job can run twice, or be cut off half-way by a killed worker, without doing anything
twice; what a queue loses, the sweeps find again from the database. The queue itself is a port,
`JobScheduler` (workflow.data.runtime); the adapters queue jobs in the instance folder's SQLite
file (run by the serving process itself) or in Redis.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING

from sqlalchemy import Select

if TYPE_CHECKING:
    from ..data.runtime import Runtime

log = logging.getLogger(__name__)

# The request that caused a job: logged by the request and, carried in the message, by the job.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def schedule(rt: Runtime, job: str, *ids: int) -> None:
    """Hand a job to the queue after its transaction committed. A queue that cannot be reached
    costs nothing but time: letters still render on first download and at the next sweep."""
    scheduler = getattr(rt, "jobs", None)
    if scheduler is None:
        return
    try:
        scheduler.schedule(job, *ids)
    except Exception:  # noqa: BLE001 - the state is committed; the sweep catches up
        log.exception("could not schedule %s%r; the sweep will", job, ids)


def schedule_each(rt: Runtime, job: str, ids: Select[tuple[int]], what: str) -> int:
    """A sweep: schedule `job` for every id the query selects, and log how many (`what`)."""
    with rt.db.session() as s:
        found = list(s.scalars(ids))
    for one in found:
        schedule(rt, job, one)
    if found:
        log.info("%d %s scheduled", len(found), what, extra={"event": "sweep"})
    return len(found)
