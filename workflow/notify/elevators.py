"""Texts about a registered elevator: its 使用管理单位's link, and the daily check's reminders.

Each reminder is written once: its dedupe key names the elevator, the date it is about and who
it goes to, so the daily check may run any number of times a day, on any number of days, and a
reminder for one due date is sent once (特种设备安全法第四十条; TSG T7001: a periodic inspection
once a year, asked for a month before it falls due).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..data.config import current_settings
from ..data.models import Case, Elevator, OutboxMessage
from .outbox import SIGN, _add, _base, queued

if TYPE_CHECKING:
    from ..data.runtime import Runtime
    from ..data.settings import Settings

AHEAD = timedelta(days=30)


def link_of(settings: Settings, elevator: Elevator) -> str:
    return f"{_base(settings)}/elevator/{elevator.link_token}"


def registered(s: Session, case: Case, settings: Settings, now) -> list[OutboxMessage]:
    """On the register: the 使用管理单位 gets its link to record each yearly inspection."""
    # The row the transition's effect has just added, not flushed yet (the transition writes
    # everything in one flush at its end).
    elevator = next(
        (e for e in s.new if isinstance(e, Elevator) and e.case_id == case.id), None
    ) or s.get(Elevator, case.id)
    phone = (case.management_unit or {}).get("phone")
    if elevator is None or not phone:
        return []
    return [
        _add(
            s,
            now,
            case=case,
            kind="elevator_link",
            phone=phone,
            text=f"{SIGN}{case.reference}电梯已登记，请每年定期检验后通过此链接登记检验结果："
            f"{link_of(settings, elevator)}",
            dedupe_key=f"elevator_link:{case.id}",
        )
    ]


def _once(
    s: Session,
    now,
    case: Case,
    key: str,
    text: str,
    *,
    phone: str | None = None,
    user_id: int | None = None,
) -> OutboxMessage | None:
    if s.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
        return None
    return _add(
        s, now, case=case, kind="elevator", text=text, phone=phone, user_id=user_id,
        dedupe_key=key,
    )  # fmt: skip


def _both(s: Session, now, elevator: Elevator, key: str, text: str) -> list[OutboxMessage]:
    """To the 使用管理单位 (by SMS) and the applicant (inbox and SMS), each once."""
    case = elevator.case
    unit_phone = (case.management_unit or {}).get("phone")
    out = [
        _once(s, now, case, f"{key}:unit", text, phone=unit_phone),
        _once(
            s, now, case, f"{key}:applicant", text,
            phone=case.applicant.phone, user_id=case.applicant_id,
        ),
    ]  # fmt: skip
    return [m for m in out if m is not None]


def remind_elevators(rt: Runtime, day: date | None = None) -> int:
    """The daily check's part for the register: inspections due within 30 days or overdue,
    maintenance contracts ending within 30 days. Returns how many messages were written."""
    with rt.db.transaction() as s:
        now = rt.clock()
        today = day or now.date()
        settings = current_settings(s, rt.settings)
        horizon = today + AHEAD
        rows = s.scalars(
            select(Elevator)
            .join(Case, Case.id == Elevator.case_id)
            .where(
                or_(
                    Elevator.next_inspection_due <= horizon,
                    Case.maintenance_ends_on <= horizon,
                )
            )
            .order_by(Elevator.case_id)
        ).all()
        written: list[OutboxMessage] = []
        for e in rows:
            case, due, link = e.case, e.next_inspection_due, link_of(settings, e)
            if due < today:
                written += _both(
                    s, now, e, f"inspection_overdue:{case.id}:{due.isoformat()}",
                    f"{SIGN}{case.reference}电梯定期检验已逾期（应于 {due.isoformat()} 前），"
                    f"请立即申请检验并登记结果：{link}",
                )  # fmt: skip
            elif due <= horizon:
                written += _both(
                    s, now, e, f"inspection_due:{case.id}:{due.isoformat()}",
                    f"{SIGN}{case.reference}电梯定期检验将于 {due.isoformat()} 到期，"
                    f"请提前申请检验并登记结果：{link}",
                )  # fmt: skip
            ends = case.maintenance_ends_on
            if ends is not None and today <= ends <= horizon:
                written += _both(
                    s, now, e, f"maintenance_ends:{case.id}:{ends.isoformat()}",
                    f"{SIGN}{case.reference}电梯维保合同将于 {ends.isoformat()} 到期，请及时续签。",
                )  # fmt: skip
        s.flush()
        ids = [m.id for m in written if m.status == "pending"]
    queued(rt, ids)
    return len(written)
