"""Telling people a case waits on them: the outbox, its delivery job and the SMS port.

A change that hands a case to someone writes an `OutboxMessage` in its own transaction, so a
message exists exactly when the change committed. Delivery is a job of the message's id, run
after the commit (`workflow.jobs`): it claims the row with one conditional UPDATE (pending →
sending), so two workers, or a job and the sweep, never send one message twice. A sender that
fails (anything but 2xx, a timeout) puts the row back to pending with a later `next_attempt_at`
(back-off); after the last attempt the row is `failed`, visible on the inbox pages, like
GOV.UK Notify's technical-failure. A worker killed between claiming and recording leaves the
row `sending`: the sweep marks it failed instead of sending it again, because the gateway may
already have sent it (at most once; the inbox still holds the text).

Texts are short, Chinese, with the case reference and a link, and never another person's name,
address or phone (个人信息保护法第六条, minimum necessary).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ..data.config import current_settings
from ..data.models import Case, Document, Household, OutboxMessage, User
from ..jobs.queue import schedule
from ..process import states
from ..rules.money import yuan
from .log_sms import LoggingSender

if TYPE_CHECKING:
    from ..data.runtime import Runtime
    from ..data.settings import Settings
    from ..process.clocks import DueFlag

log = logging.getLogger(__name__)

SIGN = "【加梯一站办】"
# Waits before the 2nd, 3rd… attempt; after the last one the message is failed.
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = len(BACKOFF) + 1
# Households that have not voted hear again this long after the consultation started (the
# rules set no fixed close; the applicant closes it, usually within a month).
REMIND_AFTER = timedelta(days=10)
# A row claimed this long ago and never recorded belongs to a worker that died mid-send.
STUCK_AFTER = timedelta(minutes=10)
# How long the outcome of a send is tried again while the database is away (well within
# STUCK_AFTER, after which the sweep gives a `sending` row up as failed).
RECORD_WAIT = timedelta(minutes=1)


class SendFailed(Exception):
    """The gateway did not take the message (non-2xx answer, timeout, refused connection)."""


class SmsSender(Protocol):
    """Hands one text to one phone number; raises `SendFailed` if it was not taken."""

    def send(self, phone: str, text: str, *, key: str) -> None: ...

    def describe(self) -> str: ...


# ---------------------------------------------------------------- writing, inside transactions


def _base(settings: Settings) -> str:
    return settings.public_base_url.rstrip("/")


def _add(
    s: Session,
    now: datetime,
    *,
    case: Case | None,
    kind: str,
    text: str,
    user_id: int | None = None,
    desk: str | None = None,
    household_id: int | None = None,
    phone: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage:
    phone = (phone or "").strip() or None
    m = OutboxMessage(
        case_id=case.id if case is not None else None,
        user_id=user_id,
        desk=desk,
        household_id=household_id,
        kind=kind,
        text=text[:500],
        phone=phone,
        created_at=now,
        status="pending" if phone else "none",
        attempts=0,
        dedupe_key=dedupe_key,
    )
    s.add(m)
    return m


def on_transition(
    s: Session,
    case: Case,
    actor: User,
    trigger: str,
    from_state: str,
    settings: Settings,
    now: datetime,
    rate_act: int | None = None,
) -> list[OutboxMessage]:
    """The messages a fired trigger owes: to the applicant when someone else moved the case, to
    the window or the reviewers when it now waits on them, and each household its signing link
    when the consultation starts. `rate_act`: the act may be rated (好差评), the applicant's
    message links to its rating page."""
    out: list[OutboxMessage] = []
    state = states.STATE[case.state]
    ref = case.reference
    base = _base(settings)
    if case.state != from_state or trigger == "extend_review":
        if actor.id != case.applicant_id:
            out.append(
                _add(
                    s,
                    now,
                    case=case,
                    kind=trigger,
                    user_id=case.applicant_id,
                    phone=case.applicant.phone,
                    text=f"{SIGN}您的加梯申请{ref}：{state.label}，"
                    + (
                        f"请评价本次办理：{base}/my/cases/{case.id}/ratings/{rate_act}；"
                        if rate_act
                        else ""
                    )
                    + f"请登录查看：{base}/track",
                )
            )
        if case.state != from_state and "applicant" not in state.tags:
            desk = (
                "clerk"
                if "window" in state.tags
                else "approver"
                if "review" in state.tags
                else None
            )
            if desk:
                out.append(
                    _add(
                        s,
                        now,
                        case=case,
                        kind=trigger,
                        desk=desk,
                        text=f"{SIGN}案件{ref}待办：{state.label}。",
                    )
                )
    if trigger == "start_consultation":
        out.extend(signing_links(s, case, settings, now))
    if trigger == "record_payment":
        out.extend(subsidy_paid(s, case, settings, now))
    if trigger == "correct_subsidy":
        out.extend(subsidy_corrected(s, case, settings, now, rate_act))
    if trigger == "report_completion":
        out.extend(acceptance_links(s, case, settings, now))
    if trigger == "approve":  # a small unit's households were all proposed as representatives
        for x in case.supervisors:
            if x.accepted_at is None and x.stepped_down_at is None and x.proposed_at == now:
                m = supervisor_proposed(s, case, x.household, settings, now)
                if m is not None:
                    out.append(m)
    return out


def _to_household(
    s: Session,
    case: Case,
    h: Household,
    settings: Settings,
    now: datetime,
    kind: str,
    what: str,
    page: str = "",
) -> OutboxMessage | None:
    """A household's message with its own link (`page` under it, e.g. "/money"), to its own
    phone; None for a household without either."""
    if not h.signing_token or not h.phone:
        return None
    link = f"{_base(settings)}/sign/{h.signing_token}{page}"
    return _add(
        s,
        now,
        case=case,
        kind=kind,
        household_id=h.id,
        phone=h.phone,
        text=f"{SIGN}{case.reference}{what}：{link}",
    )


def acceptance_links(
    s: Session, case: Case, settings: Settings, now: datetime
) -> list[OutboxMessage]:
    """The residents' acceptance opens: every household its own link, to give its opinion."""
    out = []
    for h in case.households:
        m = _to_household(
            s, case, h, settings, now, "resident_acceptance",
            "电梯已报告竣工，请打开链接对施工结果提出验收意见（满意/基本满意/不满意）",
        )  # fmt: skip
        if m is not None:
            out.append(m)
    return out


def supervisor_proposed(
    s: Session, case: Case, h: Household, settings: Settings, now: datetime
) -> OutboxMessage | None:
    return _to_household(
        s, case, h, settings, now, "supervisor",
        "本户被推荐为加装电梯居民监督代表，请打开链接确认是否接受",
    )  # fmt: skip


def problem_reported(s: Session, case: Case, room: str, now: datetime) -> OutboxMessage:
    """The applicant hears of each new problem (the reporter's room only, never a name)."""
    return _add(
        s,
        now,
        case=case,
        kind="problem",
        user_id=case.applicant_id,
        phone=case.applicant.phone,
        text=f"{SIGN}{case.reference}：{room} 室反映了施工问题，请登录答复。",
    )


def problem_answered(
    s: Session, case: Case, h: Household, settings: Settings, now: datetime
) -> OutboxMessage | None:
    return _to_household(
        s, case, h, settings, now, "problem_answer",
        "申请人已答复您反映的问题，请打开链接查看，解决后可关闭",
    )  # fmt: skip


def handed_over(
    s: Session, case: Case, handler: User, settings: Settings, now: datetime, *, by: str
) -> OutboxMessage:
    """Tell a named handler that a case is now theirs (inbox, and SMS to their phone)."""
    return _add(
        s,
        now,
        case=case,
        kind="handler",
        user_id=handler.id,
        phone=handler.phone,
        text=f"{SIGN}案件{case.reference}已由{by}交您办理，请登录查看：{_base(settings)}/staff/cases/{case.id}",
    )


def stand_in_named(
    s: Session, stand_in: User, absent: str, period: str, settings: Settings, now: datetime
) -> OutboxMessage:
    """Tell a stand-in (代理人) whose cases they act on, and when (inbox, and SMS)."""
    return _add(
        s,
        now,
        case=None,
        kind="stand_in",
        user_id=stand_in.id,
        phone=stand_in.phone,
        text=f"{SIGN}{absent}{period}请假，期间其承办的案件由您代为办理，请登录查看："
        f"{_base(settings)}/staff/absence",
    )


def stand_in_ended(
    s: Session, stand_in: User, absent: str, settings: Settings, now: datetime
) -> OutboxMessage:
    """Tell a stand-in that the absence they covered was withdrawn or changed."""
    return _add(
        s,
        now,
        case=None,
        kind="stand_in_ended",
        user_id=stand_in.id,
        phone=stand_in.phone,
        text=f"{SIGN}{absent}已取消请假代理，您不再代为办理其案件。",
    )


def subsidy_paid(s: Session, case: Case, settings: Settings, now: datetime) -> list[OutboxMessage]:
    """Each paying household (one that holds a 出资证明) hears that the subsidy was paid, with
    its link to 我的费用 and the certificate."""
    paying = set(
        s.scalars(
            select(Document.household_id).where(
                Document.case_id == case.id,
                Document.kind == "funding_certificate",
                Document.household_id.is_not(None),
            )
        )
    )
    paid = "加装电梯财政补贴已拨付。您家的费用和出资证明（可用于提取住房公积金）"
    told = (
        _to_household(s, case, h, settings, now, "record_payment", paid, "/money")
        for h in case.households
        if h.id in paying
    )
    return [m for m in told if m is not None]


def subsidy_corrected(
    s: Session, case: Case, settings: Settings, now: datetime, rate_act: int | None = None
) -> list[OutboxMessage]:
    """A corrected subsidy: the applicant hears the new amount and its reason (the written
    notice is on the case), and each household whose 出资证明 was issued anew its link to the
    new one; households whose figures did not change hear nothing."""
    base = _base(settings)
    rate = f"请评价本次办理：{base}/my/cases/{case.id}/ratings/{rate_act}；" if rate_act else ""
    # The notice just issued names what it corrects (letters are loaded by the guard).
    notice = next((x for x in reversed(case.letters) if x.kind == "subsidy_notice"), None)
    corrects = ((notice.data or {}) if notice is not None else {}).get("corrects") or {}
    reason = str(corrects.get("reason") or "")
    reason = reason if len(reason) <= 60 else reason[:59] + "…"
    out = [
        _add(
            s,
            now,
            case=case,
            kind="correct_subsidy",
            user_id=case.applicant_id,
            phone=case.applicant.phone,
            text=f"{SIGN}您的加梯申请{case.reference}的核准补贴已更正为 "
            f"{yuan(case.subsidy_fen or 0)} 元（原 {yuan(int(corrects.get('amount_fen') or 0))} "
            f"元），理由：{reason}。更正后的核定通知书已出具，{rate}请登录查看：{base}/track",
        )
    ]
    renewed = {
        d.household_id
        for d in case.documents
        if d.kind == "funding_certificate" and d.household_id is not None and d.created_at == now
    }
    corrected = "加装电梯财政补贴已更正，您家的出资证明已重新出具，原证明作废"
    told = (
        _to_household(s, case, h, settings, now, "correct_subsidy", corrected, "/money")
        for h in case.households
        if h.id in renewed
    )
    out.extend(m for m in told if m is not None)
    return out


def signing_links(
    s: Session, case: Case, settings: Settings, now: datetime, *, reminder: bool = False
) -> list[OutboxMessage]:
    """Each household's own link, to its own phone only; households that voted get no
    reminder."""
    base = _base(settings)
    out = []
    for h in case.households:
        if not h.signing_token or not h.phone:
            continue
        if reminder and h.vote is not None:
            continue
        what = "意见征询即将结束，您尚未表决" if reminder else "加装电梯意见征询已开始"
        out.append(
            _add(
                s,
                now,
                case=case,
                kind="reminder" if reminder else "signing_link",
                household_id=h.id,
                phone=h.phone,
                text=f"{SIGN}{case.reference}{what}，请打开链接表决：{base}/sign/{h.signing_token}",
            )
        )
    return out


def remind_consultation(rt: Runtime, case_id: int) -> int:
    """Before the consultation closes: remind the households that have not voted. Once per
    case (a second call writes nothing). Returns how many messages were written."""
    with rt.db.transaction() as s:
        case = s.get(Case, case_id)
        if case is None or case.state != "consultation":
            return 0
        done = s.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.case_id == case_id, OutboxMessage.kind == "reminder"
            )
        )
        if done:
            return 0
        rows = signing_links(s, case, current_settings(s, rt.settings), rt.clock(), reminder=True)
        s.flush()
        ids = [m.id for m in rows if m.status == "pending"]
    queued(rt, ids)
    return len(ids)


def remind_consultations(rt: Runtime) -> int:
    """The daily reminder: every consultation open for `REMIND_AFTER` reminds its households
    that have not voted, once. Returns how many messages were written."""
    with rt.db.session() as s:
        ids = list(
            s.scalars(
                select(Case.id).where(
                    Case.state == "consultation",
                    Case.consultation_started_at <= rt.clock() - REMIND_AFTER,
                )
            )
        )
    return sum(remind_consultation(rt, case_id) for case_id in ids)


class OutboxNotifier:
    """`clocks.DeadlineNotifier` writing the due and overdue flags to the desks' inboxes.

    `flag_due_cases` calls it inside its own transaction; the rows are written after it, in one
    transaction of their own, keyed by case, day and desk so that a second run adds nothing."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self.flags: list[DueFlag] = []

    def deadline_flagged(self, flag: DueFlag) -> None:
        self.flags.append(flag)

    def write(self) -> int:
        written = 0
        with self.rt.db.transaction() as s:
            now = self.rt.clock()
            for flag in self.flags:
                case = s.get(Case, flag.case_id)
                word = "已逾期" if flag.kind == "overdue" else "即将到期"
                for desk in sorted({w.split(":")[0] for w in flag.who}):
                    key = f"deadline:{flag.case_id}:{now.date().isoformat()}:{desk}"
                    if s.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
                        continue
                    _add(
                        s,
                        now,
                        case=case,
                        kind="deadline",
                        desk="approver" if desk == "lead_approver" else desk,
                        text=f"{SIGN}案件{flag.reference}办理期限{word}（{flag.due.isoformat()}）。",
                        dedupe_key=key,
                    )
                    written += 1
        self.flags.clear()
        return written


# ---------------------------------------------------------------- delivery, the job


def queued(rt: Runtime, ids: Iterable[int]) -> None:
    """After the commit: one delivery job per message that has a phone to go to (`ids` are
    messages just written; those without a phone were never pending). The job claims its
    message atomically, so a message handed over twice is still sent once."""
    ids = list(ids)
    if not ids or getattr(rt, "jobs", None) is None:
        return  # no queue at all: the sweep (`flask --app web worker`) delivers them
    for mid in ids:
        schedule(rt, "deliver_outbox", mid)


def deliver_outbox(rt: Runtime, message_id: int) -> bool:
    """Send one outbox message if it is pending and due. True if this call sent it."""
    sender = getattr(rt, "sms", None) or LoggingSender()
    now = rt.clock()
    with rt.db.transaction() as s:
        won = s.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status == "pending",
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            )
            .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won:
            return False
        m = s.get(OutboxMessage, message_id)
        phone, text, attempts = m.phone, m.text, m.attempts
    try:
        sender.send(phone, text, key=f"outbox-{message_id}")
    except SendFailed as exc:
        _failed_attempt(rt, message_id, attempts, str(exc))
        return False
    _record(
        rt,
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
        .values(status="sent", sent_at=rt.clock(), last_error=None)
        .execution_options(synchronize_session=False),
    )
    log.info("message %s sent", message_id, extra={"event": "sms_sent", "message_id": message_id})
    return True


def _failed_attempt(rt: Runtime, message_id: int, attempts: int, error: str) -> None:
    last = attempts >= MAX_ATTEMPTS
    values: dict = {"last_error": error[:200]}
    if last:
        values["status"] = "failed"
    else:
        values["status"] = "pending"
        values["next_attempt_at"] = rt.clock() + BACKOFF[attempts - 1]
    _record(
        rt,
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
        .values(**values)
        .execution_options(synchronize_session=False),
    )
    log.warning(
        "message %s not sent (attempt %d%s): %s",
        message_id,
        attempts,
        ", giving up" if last else "",
        error,
        extra={"event": "sms_failed" if last else "sms_retry", "message_id": message_id},
    )


def _record(rt: Runtime, statement) -> None:  # noqa: ANN001 - an UPDATE
    """What became of a claimed message, once it has left (or failed to): tried again while the
    database is unreachable (a restart), up to RECORD_WAIT. Given up, the row would stay
    `sending` and the sweep would later mark a delivered message failed, never to be resent."""
    deadline = time.monotonic() + RECORD_WAIT.total_seconds()
    while True:
        try:
            with rt.db.transaction() as s:
                s.execute(statement)
            return
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            log.warning("the database is unreachable; recording the message's outcome again")
            time.sleep(1)


def deliver_due_messages(rt: Runtime) -> int:
    """The sweep: schedule every pending message whose next attempt is due, and mark failed the
    ones a dead worker left half-sent. Returns how many were scheduled."""
    now = rt.clock()
    with rt.db.transaction() as s:
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - STUCK_AFTER)
            .values(status="failed", last_error="interrupted while sending; not resent")
            .execution_options(synchronize_session=False)
        )
        ids = list(
            s.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.status == "pending",
                    or_(
                        OutboxMessage.next_attempt_at.is_(None),
                        OutboxMessage.next_attempt_at <= now,
                    ),
                )
                .order_by(OutboxMessage.id)
            )
        )
    for mid in ids:
        schedule(rt, "deliver_outbox", mid)
    return len(ids)


# ---------------------------------------------------------------- reading, for the inbox pages


def _mine(user: User):
    """A staff member reads their desk's messages and those addressed to them (a case handed
    over, a stand-in named); everyone else their own."""
    if user.role in ("clerk", "approver"):
        return or_(OutboxMessage.desk == user.role, OutboxMessage.user_id == user.id)
    return OutboxMessage.user_id == user.id


def inbox(rt: Runtime, user_id: int, limit: int = 100) -> list[dict]:
    with rt.db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            return []
        rows = s.execute(
            select(OutboxMessage, Case.reference)
            .outerjoin(Case, Case.id == OutboxMessage.case_id)
            .where(_mine(user))
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        ).all()
        return [
            {
                "id": m.id,
                "case_id": m.case_id,
                "reference": ref,
                "text": m.text,
                "at": m.created_at,
                "sms": m.status,
            }
            for m, ref in rows
        ]


def inbox_count(rt: Runtime, user_id: int) -> int:
    with rt.db.session() as s:
        user = s.get(User, user_id)
        if user is None:
            return 0
        return s.scalar(select(func.count(OutboxMessage.id)).where(_mine(user))) or 0
