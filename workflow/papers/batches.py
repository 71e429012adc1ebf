"""Batch printing as a job (DESIGN §5): the chosen letters as one PDF, made outside the request.

The request records a `BatchPrint` (who asked, the letters in order) and schedules
`print_batch(id)`; the job lays the letters out, writing how many are done to the row as it goes,
stores the file by SHA-256 like a letter's, and marks the row done — or failed, with a message in
Chinese for the clerk. Like every job it can run twice or be cut off half-way:

- a run claims the row (queued or running → running, one conditional UPDATE) and counts from
  nought; only the latest claimant writes progress, so a re-run after a kill counts each letter
  once and never past the total;
- only the run whose conditional UPDATE (not done yet → done) wins stores the file, in the same
  transaction: one file however many runs finish;
- a batch that no worker has moved for `STALE_AFTER` is scheduled again by the sweep; after
  `MAX_ATTEMPTS` starts it is failed rather than tried for ever (a batch that kills its worker).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from ..data.models import BatchPrint, Letter
from ..jobs.queue import schedule_each
from .render import letter_pdf

if TYPE_CHECKING:
    from ..data.runtime import Runtime

log = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed")
UNFINISHED = ("queued", "running")
STALE_AFTER = timedelta(minutes=2)
MAX_ATTEMPTS = 3

FAILED = "文书排版时出错。请回到“文书打印”重新选择后再试；仍不行请联系系统管理员。"
GAVE_UP = "连续几次都被中断。请回到“文书打印”分几次、每次少选一些文书再试。"
MISSING = "所选文书中有的已找不到。请回到“文书打印”重新选择。"


def print_batch(rt: Runtime, batch_id: int) -> bool:
    """Lay out the batch's letters as one PDF and store it, once. True if this run stored it."""
    attempt = _claim(rt, batch_id)
    if attempt is None:
        return False
    with rt.db.session() as s:
        row = s.get(BatchPrint, batch_id)
        ids = list(row.letter_ids)
        found = {x.id: dict(x.data) for x in s.scalars(select(Letter).where(Letter.id.in_(ids)))}
    if any(i not in found for i in ids):
        return _fail(rt, batch_id, MISSING)

    def progress(done: int, total: int) -> None:
        _progress(rt, batch_id, attempt, done)

    try:
        pdf = _layout(rt, ids, [found[i] for i in ids], progress)
    except Exception:  # noqa: BLE001 - the clerk is told; the log keeps the cause
        log.exception("batch print %s could not be laid out", batch_id)
        return _fail(rt, batch_id, FAILED)
    return _store(rt, batch_id, pdf)


def print_unfinished_batches(rt: Runtime, older_than: timedelta = STALE_AFTER) -> int:
    """Schedule again every batch not finished and not moved for `older_than` (its message was
    lost, or its worker was killed). Returns how many."""
    cutoff = rt.clock() - older_than
    stalled = select(BatchPrint.id).where(
        BatchPrint.state.in_(UNFINISHED), BatchPrint.updated_at <= cutoff
    )
    return schedule_each(
        rt, "print_batch", stalled.order_by(BatchPrint.id), "unfinished batch prints"
    )


def _claim(rt: Runtime, batch_id: int) -> int | None:
    """Start a run: the attempt's number, or None if the batch is finished (or given up)."""
    now = rt.clock()
    with rt.db.transaction() as s:
        row = s.get(BatchPrint, batch_id)
        if row is None or row.state not in UNFINISHED:
            return None
        attempt = row.attempts + 1
        if attempt > MAX_ATTEMPTS:
            gave_up = True
        else:
            gave_up = False
            won = s.execute(
                update(BatchPrint)
                .where(
                    BatchPrint.id == batch_id,
                    BatchPrint.state.in_(UNFINISHED),
                    BatchPrint.attempts == row.attempts,
                )
                .values(state="running", attempts=attempt, done=0, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not won:
                return None
    if gave_up:
        _fail(rt, batch_id, GAVE_UP)
        return None
    return attempt


def _progress(rt: Runtime, batch_id: int, attempt: int, done: int) -> None:
    with rt.db.transaction() as s:
        s.execute(
            update(BatchPrint)
            .where(
                BatchPrint.id == batch_id,
                BatchPrint.state == "running",
                BatchPrint.attempts == attempt,  # a run overtaken by a newer one is silent
            )
            .values(done=done, updated_at=rt.clock())
            .execution_options(synchronize_session=False)
        )


def _layout(
    rt: Runtime,
    ids: Sequence[int],
    contexts: list[dict[str, Any]],
    progress: Callable[[int, int], None],
) -> bytes:
    """Laid out afresh from the letters' frozen contexts by the renderer's `batch` when it has
    one (fonts embedded once per share, not once per letter); else the stored files joined."""
    from pypdf import PdfReader, PdfWriter

    batch = getattr(rt.renderer, "batch", None)
    if batch is not None:
        try:
            return batch(contexts, progress=progress)
        except Exception:  # noqa: BLE001 - the stored files still make a (larger) print job
            log.exception("batch layout failed; joining the stored letters instead")
            progress(0, len(ids))
    writer = PdfWriter()
    for done, letter_id in enumerate(ids, 1):
        writer.append(PdfReader(io.BytesIO(letter_pdf(rt, letter_id))))
        progress(done, len(ids))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _store(rt: Runtime, batch_id: int, pdf: bytes) -> bool:
    now = rt.clock()
    with rt.db.transaction() as s:
        # Done first, in one conditional UPDATE: of runs finishing together, one stores.
        won = s.execute(
            update(BatchPrint)
            .where(
                BatchPrint.id == batch_id,
                BatchPrint.state.in_(UNFINISHED),
                BatchPrint.sha256.is_(None),
            )
            .values(
                state="done",
                done=BatchPrint.total,
                error=None,
                finished_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if won:
            sha = rt.store.record(s, pdf, "application/pdf", now)
            s.execute(
                update(BatchPrint)
                .where(BatchPrint.id == batch_id)
                .values(sha256=sha)
                .execution_options(synchronize_session=False)
            )
    if won:
        log.info(
            "batch print %s stored",
            batch_id,
            extra={"event": "batch_stored", "batch_id": batch_id, "sha256": sha},
        )
    return bool(won)


def _fail(rt: Runtime, batch_id: int, message: str) -> bool:
    now = rt.clock()
    with rt.db.transaction() as s:
        s.execute(
            update(BatchPrint)
            .where(BatchPrint.id == batch_id, BatchPrint.state.in_(UNFINISHED))
            .values(state="failed", error=message, finished_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    log.warning("batch print %s failed: %s", batch_id, message, extra={"event": "batch_failed"})
    return False
