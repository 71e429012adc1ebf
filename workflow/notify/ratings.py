"""The daily check's part for 好差评: bad ratings past their rectification day without an answer
are put before their desk again, once a day each."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..data.models import Case, OutboxMessage, Rating
from .outbox import SIGN

if TYPE_CHECKING:
    from ..data.runtime import Runtime


def remind_late_rectifications(rt: Runtime, day: date | None = None) -> int:
    """One inbox message to the desk per late item and day; a second run writes nothing."""
    today = day or rt.clock().date()
    written = 0
    with rt.db.transaction() as s:
        rows = s.execute(
            select(Rating, Case.reference)
            .join(Case, Case.id == Rating.case_id)
            .where(Rating.rectified_at.is_(None), Rating.rectify_due < today)
        ).all()
        for r, ref in rows:
            key = f"rating-late:{r.id}:{today.isoformat()}"
            if s.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
                continue
            s.add(
                OutboxMessage(
                    case_id=r.case_id,
                    desk="clerk" if r.desk == "window" else "approver",
                    kind="rating_late",
                    text=f"{SIGN}案件{ref}的差评整改已超期（应于{r.rectify_due.isoformat()}前答复）。",
                    created_at=rt.clock(),
                    status="none",
                    attempts=0,
                    dedupe_key=key,
                )
            )
            written += 1
    return written
