"""Every job by name, and the periodic schedule: what the queue adapters run.

Jobs are plain domain functions of ids, each in the room it belongs to; this registry only names
them. The schedule is declared here once, as data, and each queue adapter turns it into its
library's periodic tasks (the Redis workers, or the embedded default's own consumer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..notify.elevators import remind_elevators
from ..notify.outbox import (
    OutboxNotifier,
    deliver_due_messages,
    deliver_outbox,
    remind_consultations,
)
from ..notify.ratings import remind_late_rectifications
from ..papers.batches import STALE_AFTER, print_batch, print_unfinished_batches
from ..papers.render import render_letter, render_missing_letters
from ..process.clocks import flag_due_cases
from ..process.retention import apply_retention
from ..read.statistics import refresh_statistics

if TYPE_CHECKING:
    from ..data.runtime import Runtime


def daily_check(rt: Runtime, day: date | None = None) -> tuple[list, int]:
    """Once a day: flag the cases due within two working days or overdue and tell the desks
    that must act, put late 好差评 rectifications before their desks, remind the households of
    long consultations that have not voted, remind the elevators' 使用管理单位 and applicants of
    inspections and maintenance contracts falling due, and remove or mask the personal data
    closed cases no longer need. Safe to run twice on one day: flags and reminders are
    recorded once, and what was removed is not removed again."""
    notifier = OutboxNotifier(rt)
    flags = flag_due_cases(rt, day, notifier)
    notifier.write()
    remind_late_rectifications(rt, day)  # 好差评 items past their rectification day
    reminded = remind_consultations(rt) + remind_elevators(rt, day)
    apply_retention(rt)
    return flags, reminded


def sweep(rt: Runtime) -> None:
    """What a queue may have lost: letters without bytes, batch prints nobody is moving."""
    render_missing_letters(rt, older_than=timedelta(minutes=2))
    print_unfinished_batches(rt, STALE_AFTER)


def recover(rt: Runtime) -> None:
    """When a worker starts: what a killed worker took with it is found again from the database."""
    render_missing_letters(rt)
    print_unfinished_batches(rt, older_than=timedelta(0))
    deliver_due_messages(rt)


# Jobs that take ids, scheduled by name through `jobs.queue.schedule`.
JOBS: dict[str, Callable[..., object]] = {
    "render_letter": render_letter,
    "render_missing_letters": render_missing_letters,
    "deliver_outbox": deliver_outbox,
    "deliver_due_messages": deliver_due_messages,
    "print_batch": print_batch,
    "apply_retention": apply_retention,
}
# Jobs that two workers must not run on one id at once (the queue adapters lock them).
EXCLUSIVE = ("render_letter", "print_batch")


@dataclass(frozen=True)
class Periodic:
    """A job the queue runs on a clock; `when` is in cron's fields, in UTC (the queue's time)."""

    name: str
    job: Callable[[Runtime], object]
    when: dict[str, str]
    why: str


PERIODIC: tuple[Periodic, ...] = (
    Periodic("sweep", sweep, {"minute": "*/5"}, "letters and batch prints a queue lost"),
    Periodic("outbox", deliver_due_messages, {"minute": "*"},
             "retries whose back-off has passed, and messages whose job was lost"),
    # 08:05 in Beijing: before the window opens.
    Periodic("daily_check", daily_check, {"hour": "0", "minute": "5"},
             "deadlines due soon or overdue, reminders"),
    Periodic("retention", apply_retention, {"hour": "0", "minute": "20"},
             "personal data of closed cases past RETENTION_DAYS removed or masked"),
    Periodic("statistics", refresh_statistics, {"minute": "*/10"},
             "keep the admin's statistics warm"),
)  # fmt: skip
