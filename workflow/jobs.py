"""Work that must not run inside a request, as plain functions of ids (DESIGN §6).

Every job can run twice, or be cut off half-way by a killed worker, without doing anything
twice: a letter's number is given in its transition's transaction, never here; a job only turns
the frozen context into bytes and stores them if no bytes are stored yet (one conditional
UPDATE decides, so two workers racing store one file). What a queue loses — a worker killed
mid-job takes its message with it — `render_missing_letters` finds again from the database.

The queue is a port, `JobScheduler`; the adapters in `workflow/adapters/` run jobs in-process
(the embedded default) or through Redis for several hosts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import Select, select, update

from .models import Letter

if TYPE_CHECKING:
    from .context import Runtime

log = logging.getLogger(__name__)

# The request that caused a job: logged by the request and, carried in the message, by the job.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class JobScheduler(Protocol):
    """Runs a job by name with its ids, now or later, somewhere."""

    def schedule(self, job: str, *ids: int) -> None: ...

    def check(self) -> None:
        """Raise if jobs cannot be scheduled (for /readyz and `flask check`)."""

    def describe(self) -> str: ...


def render_letter(rt: Runtime, letter_id: int) -> bool:
    """Render a letter from its frozen context and store it, once. True if this call stored it."""
    with rt.db.session() as s:
        letter = s.get(Letter, letter_id)
        if letter is None or letter.sha256 or rt.renderer is None:
            return False
        data = dict(letter.data)
    pdf = rt.renderer.letter(data)
    with rt.db.transaction() as s:
        sha = rt.store.record(s, pdf, "application/pdf", rt.clock())
        won = s.execute(
            update(Letter)
            .where(Letter.id == letter_id, Letter.sha256.is_(None))
            .values(sha256=sha)
            .execution_options(synchronize_session=False)
        ).rowcount
    if won:
        log.info(
            "letter %s rendered and stored",
            letter_id,
            extra={"event": "letter_stored", "letter_id": letter_id, "sha256": sha},
        )
    return bool(won)


def render_missing_letters(rt: Runtime, older_than: timedelta = timedelta(0)) -> int:
    """Schedule a render for every letter still without bytes (issued before `older_than` ago,
    so that letters whose own job is about to run are left to it). Returns how many."""
    if rt.renderer is None:
        return 0
    cutoff = rt.clock() - older_than
    missing = select(Letter.id).where(Letter.sha256.is_(None), Letter.issued_at <= cutoff)
    return schedule_each(rt, "render_letter", missing.order_by(Letter.id), "letters without bytes")


def schedule_each(rt: Runtime, job: str, ids: Select[tuple[int]], what: str) -> int:
    """A sweep: schedule `job` for every id the query selects, and log how many (`what`)."""
    with rt.db.session() as s:
        found = list(s.scalars(ids))
    for one in found:
        schedule(rt, job, one)
    if found:
        log.info("%d %s scheduled", len(found), what, extra={"event": "sweep"})
    return len(found)


def deliver_outbox(rt: Runtime, message_id: int) -> bool:
    from .notifications import deliver_outbox as deliver

    return deliver(rt, message_id)


def deliver_due_messages(rt: Runtime) -> int:
    from .notifications import deliver_due_messages as sweep

    return sweep(rt)


def daily_check(rt: Runtime, day: date | None = None) -> tuple[list, int]:
    """Once a day: flag the cases due within two working days or overdue and tell the desks
    that must act, and remind the households of long consultations that have not voted. Safe to
    run twice on one day: flags and reminders are recorded once."""
    from .clocks import flag_due_cases
    from .notifications import OutboxNotifier, remind_consultations

    notifier = OutboxNotifier(rt)
    flags = flag_due_cases(rt, day, notifier)
    notifier.write()
    return flags, remind_consultations(rt)


def print_batch(rt: Runtime, batch_id: int) -> bool:
    """A clerk's batch print: the chosen letters as one PDF, stored once (`workflow.batches`)."""
    from .batches import print_batch as lay_out

    return lay_out(rt, batch_id)


def print_unfinished_batches(rt: Runtime, older_than: timedelta | None = None) -> int:
    from .batches import STALE_AFTER
    from .batches import print_unfinished_batches as sweep

    return sweep(rt, STALE_AFTER if older_than is None else older_than)


def refresh_statistics(rt: Runtime) -> None:
    """Keep the admin's statistics warm, so the page answers from the cache."""
    from .statistics import refresh_statistics as refresh

    refresh(rt)


JOBS: dict[str, Callable[..., object]] = {
    "render_letter": render_letter,
    "render_missing_letters": render_missing_letters,
    "deliver_outbox": deliver_outbox,
    "deliver_due_messages": deliver_due_messages,
    "print_batch": print_batch,
}
# Jobs that two workers must not run on one id at once (the Redis adapter locks them).
EXCLUSIVE = ("render_letter", "print_batch")


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


def letters_issued(rt: Runtime, letter_ids: list[int]) -> None:
    """After a transition committed: render its letters outside its transaction."""
    for letter_id in letter_ids:
        schedule(rt, "render_letter", letter_id)
