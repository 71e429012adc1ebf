"""Batch printing (DESIGN §5): a clerk asks for chosen letters as one PDF; a job makes it
(`workflow.batches`) while the clerk watches its progress, then downloads it.

A batch is seen by the one who asked, no one else: anyone else is told it does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..data.models import BatchPrint, Letter, User
from ..data.runtime import Runtime
from ..errors import Forbidden, InvalidInput, NotFound, msg
from ..jobs.queue import schedule
from ..papers import batches
from ..process.access import LETTER_NOT_FOUND, actor_of

BATCH_NOT_FOUND = msg("batch_not_found", "未找到该合并打印。", "No such batch print.")
NOT_READY = msg("batch_not_ready", "合并的 PDF 还没有做好。", "The merged PDF is not ready yet.")
# More than a day's letters at one window; a longer list is a mistake or a misuse.
MAX_LETTERS = 1000


@dataclass(frozen=True)
class BatchStatus:
    id: int
    state: str  # queued, running, done, failed
    done: int
    total: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def percent(self) -> int:
        """Whole percent, rounded down: 100 only when done."""
        if self.state == "done":
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0


@dataclass(frozen=True)
class BatchFile:
    filename: str
    data: bytes


def request_batch(rt: Runtime, actor: User | int, letter_ids: list[int]) -> int:
    """Record the request and hand it to the job queue after commit; the batch's id.

    A queue in immediate mode (tests) has run the job when this returns; a consumer (the
    serving process's own, or a Redis worker) takes it moments later."""
    if not letter_ids:
        raise InvalidInput(msg("letters", "请至少选择一份文书。", "Choose at least one letter."))
    if len(letter_ids) > MAX_LETTERS:
        raise InvalidInput(
            msg(
                "letters",
                f"一次最多合并 {MAX_LETTERS} 份文书，请分几次打印。",
                f"At most {MAX_LETTERS} letters at once; print them in several batches.",
            )
        )
    if any(not 0 < i < 2**31 for i in letter_ids):
        raise NotFound(LETTER_NOT_FOUND)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        if not user.is_staff:
            raise Forbidden(
                msg("role", "只有工作人员可以批量打印文书。", "Only staff print letters.")
            )
        found = set(s.scalars(select(Letter.id).where(Letter.id.in_(letter_ids))))
        if any(i not in found for i in letter_ids):
            raise NotFound(LETTER_NOT_FOUND)
        now = rt.clock()
        row = BatchPrint(
            requested_by_id=user.id,
            letter_ids=list(letter_ids),
            state="queued",
            done=0,
            total=len(letter_ids),
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        batch_id = row.id
    if getattr(rt, "jobs", None) is None:
        batches.print_batch(rt, batch_id)  # no queue at all: now, like letters
    else:
        schedule(rt, "print_batch", batch_id)
    return batch_id


def _own(s, actor: User | int, batch_id: int) -> BatchPrint:
    user = actor_of(s, actor)
    row = s.get(BatchPrint, batch_id) if 0 < batch_id < 2**31 else None
    if row is None or row.requested_by_id != user.id or not user.is_staff:
        raise NotFound(BATCH_NOT_FOUND)
    return row


def batch_status(rt: Runtime, actor: User | int, batch_id: int) -> BatchStatus:
    with rt.db.session() as s:
        row = _own(s, actor, batch_id)
        return BatchStatus(
            id=row.id,
            state=row.state,
            done=row.done,
            total=row.total,
            error=row.error,
            created_at=row.created_at,
            finished_at=row.finished_at,
        )


def batch_file(rt: Runtime, actor: User | int, batch_id: int) -> BatchFile:
    with rt.db.session() as s:
        row = _own(s, actor, batch_id)
        if row.state != "done" or not row.sha256:
            raise NotFound(NOT_READY)
        sha, made, total = row.sha256, row.created_at, row.total
    return BatchFile(filename=f"文书合并打印-{made:%Y%m%d}-{total}份.pdf", data=rt.store.read(sha))
