"""Keeping only what is needed (个人信息保护法第十九条): once a case is closed (a final state),
its signing links end at once — except, on a case whose subsidy was paid, until the last day the
households may draw on the 公积金 for their part (the link shows their bill and 出资证明); after `RETENTION_DAYS` the phone numbers of the households who
are not the applicant, the SMS texts sent about the case and the ID numbers on the roster are
masked or removed. Letters and the documents of the record are kept: they are the archive.

Run daily; running twice does nothing twice. What it did is recorded as counts, never data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from ..data import audit
from ..data.config import current_settings
from ..data.models import Case, Event, OutboxMessage
from ..papers.facts import mask_phone
from ..rules.bill import add_months
from .states import states_tagged

if TYPE_CHECKING:
    from ..data.runtime import Runtime

REMOVED_TEXT = "（短信内容已按保存期限删除）"


def link_still_needed(case: Case, months: int, today: date) -> bool:
    """A closed case's household link still serves its household: the subsidy was paid and the
    last day to draw on the 公积金 for its part has not passed (DESIGN §3.3a)."""
    return case.registered_on is not None and today <= add_months(case.registered_on, months)


def mask_id_number(number: str) -> str:
    return number[:3] + "*" * max(len(number) - 7, 0) + number[-4:]


def _masked(value: str | None) -> bool:
    return not value or "*" in value


def apply_retention(rt: Runtime) -> dict[str, int]:
    """Remove or mask what closed cases no longer need; returns how many of each."""
    finals = states_tagged("final")
    closed = (
        select(Case, func.max(Event.at))
        .join(Event, Event.case_id == Case.id)
        .where(Case.state.in_(finals), Event.to_state.in_(finals))
        .group_by(Case.id)
    )
    counts = {"signing_links": 0, "phones": 0, "id_numbers": 0, "sms_texts": 0}
    with rt.db.transaction() as s:
        settings = current_settings(s, rt.settings)
        now = rt.clock()
        past = now - timedelta(days=settings.retention_days)
        for case, closed_at in s.execute(closed).all():
            still_needed = link_still_needed(case, settings.provident_fund_months, now.date())
            for h in case.households:
                if h.signing_token and not still_needed:
                    h.signing_token = None
                    counts["signing_links"] += 1
            if closed_at > past:
                continue
            applicant_phone = case.applicant.phone or case.applicant.username
            for h in case.households:
                if not _masked(h.phone) and h.phone != applicant_phone:
                    h.phone = mask_phone(h.phone)
                    counts["phones"] += 1
                if not _masked(h.id_number):
                    h.id_number = mask_id_number(h.id_number)
                    counts["id_numbers"] += 1
            for m in s.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.case_id == case.id, OutboxMessage.text != REMOVED_TEXT
                )
            ):
                m.text, m.phone = REMOVED_TEXT, None
                counts["sms_texts"] += 1
        if any(counts.values()):
            audit.append(
                s,
                kind="retention_applied",
                at=now,
                actor=None,
                role="system",
                payload={**counts, "retention_days": settings.retention_days},
            )
    return counts
