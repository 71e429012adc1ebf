"""Keeping only what is needed (个人信息保护法第十九条): once a case is closed (a final state),
its signing links end at once — except, on a case whose subsidy was paid, until the last day the
households may draw on the 公积金 for their part (the link shows their bill and 出资证明). After
`RETENTION_DAYS`:

- the phone numbers of the households who are not the applicant and the ID numbers on the
  roster are masked, the SMS texts sent about the case removed;
- the uploaded identity papers — the powers of attorney (授权委托书) of owners who signed through
  a family member and the agent's authorisation (代办授权书), which the notice says may carry
  copies of identity cards (第二十八条, sensitive) — are removed from the file store.

Letters and the documents of the record (the signed paper forms and their scans, objections,
the generated documents) are kept: they are the archive.

Login and lookup logs: the product keeps none to remove. Failed sign-ins, phone-tail checks and
/track lookups are counted in the rate limiter's storage under hashed keys that expire with their
window (an hour at most); sessions are signed cookies held by the browser; the request log goes
to the process's output (method, path, status; no address), outside the product's storage.

Run daily; running twice does nothing twice. What it did is recorded as counts, never data.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..data import audit
from ..data.config import current_settings
from ..data.models import (
    BatchPrint,
    Case,
    Document,
    Event,
    Inspection,
    Letter,
    Mediation,
    Objection,
    OutboxMessage,
    StoredFile,
    Vote,
)
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


def _referenced(s: Session, sha: str) -> bool:
    """Whether anything still refers to these bytes: the store keeps one copy of identical
    files, and the same scan may serve another case or be one of its documents."""
    holders = (
        select(Vote.id).where(
            or_(Vote.proxy_document == sha, Vote.scan_sha256 == sha, Vote.signature_image == sha)
        ),
        select(Case.id).where(Case.agent_document == sha),
        select(Document.id).where(Document.sha256 == sha),
        select(Letter.id).where(Letter.sha256 == sha),
        select(Objection.id).where(Objection.scan_sha256 == sha),
        select(Mediation.id).where(Mediation.withdrawal_scan == sha),
        select(BatchPrint.id).where(BatchPrint.sha256 == sha),
        select(Inspection.id).where(Inspection.report_sha256 == sha),
    )
    return any(s.scalar(q.limit(1)) is not None for q in holders)


def _identity_papers(s: Session, case: Case) -> list[str]:
    """Forget the case's identity papers; returns their SHA-256s."""
    shas = []
    for v in s.scalars(
        select(Vote).where(Vote.case_id == case.id, Vote.proxy_document.is_not(None))
    ):
        shas.append(v.proxy_document)
        v.proxy_document = None
    if case.agent_document:
        shas.append(case.agent_document)
        case.agent_document = None
    return shas


def _past_the_period(s: Session, case: Case, counts: dict[str, int]) -> list[str]:
    """Mask and remove what the closed case kept for `RETENTION_DAYS`, counting each; returns
    the identity papers' SHA-256s, whose bytes go once the transaction commits."""
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
    removed = _identity_papers(s, case)
    counts["identity_papers"] += len(removed)
    return removed


def apply_retention(rt: Runtime) -> dict[str, int]:
    """Remove or mask what closed cases no longer need; returns how many of each."""
    finals = states_tagged("final")
    closed = (
        select(Case, func.max(Event.at))
        .join(Event, Event.case_id == Case.id)
        .where(Case.state.in_(finals), Event.to_state.in_(finals))
        .group_by(Case.id)
    )
    counts = {
        "signing_links": 0,
        "phones": 0,
        "id_numbers": 0,
        "sms_texts": 0,
        "identity_papers": 0,
    }
    papers: list[str] = []
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
            papers += _past_the_period(s, case, counts)
        s.flush()
        # The bytes go once nothing refers to them; their row goes with them, so that the
        # integrity check and the backup do not look for them.
        gone = [sha for sha in dict.fromkeys(papers) if not _referenced(s, sha)]
        for sha in gone:
            row = s.get(StoredFile, sha)
            if row is not None:
                s.delete(row)
        if any(counts.values()):
            audit.append(
                s,
                kind="retention_applied",
                at=now,
                actor=None,
                role="system",
                payload={**counts, "retention_days": settings.retention_days},
            )
    # After the commit: a failed commit leaves the references and the files as they were.
    for sha in gone:
        rt.store.delete(sha)
    return counts
