"""Owners without an account: proving who they are, the public notice, objections to it.

An owner proves they are the household on the roster with the owner's name and the last four
digits of the phone number the applicant entered. Four digits can be guessed, so wrong answers
are counted per household and, after `MAX_FAILED`, checks pause for `PAUSE`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..context import Runtime
from ..documents import case_facts
from ..errors import Conflict, InvalidInput, Message, NotFound, msg
from ..machine import STATE
from ..models import Case, Household

MAX_FAILED = 5
PAUSE = timedelta(minutes=30)
NOTICE_NOT_FOUND = msg("notice", "未找到该公示。", "No such public notice.")


def _norm(text: str) -> str:
    return "".join((text or "").split())


def identity_problems(h: Household, owner_name: str, phone_tail: str) -> list[Message]:
    out = []
    if _norm(owner_name) != _norm(h.owner_name):
        out.append(
            msg("owner_name", "业主姓名与住户名单不符。", "The name does not match the roster.")
        )
    if not h.phone:
        out.append(
            msg(
                "phone_tail",
                "住户名单中没有登记这户的手机号，无法在线核对，请到办理窗口签字或提交。",
                "No phone number is on the roster for this flat; please sign at the window.",
            )
        )
    elif len(phone_tail or "") != 4 or not h.phone.endswith(phone_tail):
        out.append(msg("phone_tail", "手机号后四位不符。", "The last four digits do not match."))
    return out


def check_owner(
    rt: Runtime, household_id: int, owner_name: str, phone_tail: str, extra: list[Message]
) -> None:
    """Refuse with every problem at once (the identity's and `extra`); count failed identities.

    Runs in its own transaction so that a failed attempt is counted even though the caller's
    action is refused.
    """
    now = rt.clock()
    with rt.db.transaction() as s:
        h = s.get(Household, household_id)
        if h.checks_paused_until and h.checks_paused_until > now:
            until = h.checks_paused_until.strftime("%H:%M")
            raise Conflict(
                msg(
                    "paused",
                    f"核对失败次数过多，请在 {until} 以后再试，或到办理窗口办理。",
                    f"Too many failed attempts; try again after {until} or visit the window.",
                )
            )
        problems = identity_problems(h, owner_name, (phone_tail or "").strip())
        if problems:
            h.failed_checks = (h.failed_checks or 0) + 1
            if h.failed_checks >= MAX_FAILED:
                h.failed_checks, h.checks_paused_until = 0, now + PAUSE
        elif h.failed_checks:
            h.failed_checks = 0
    if problems or extra:
        raise InvalidInput(*problems, *extra)


def _case_by_reference(s: Any, reference: str) -> Case:
    ref = (reference or "").strip().upper()
    case = s.scalar(select(Case).where(Case.reference == ref)) if 0 < len(ref) <= 32 else None
    if case is None or case.publicity_start is None:
        raise NotFound(NOTICE_NOT_FOUND)
    return case


def public_notice(rt: Runtime, reference: str) -> dict[str, Any]:
    """What the notice posted in the stairwell says, for anyone holding its QR code."""
    with rt.db.session() as s:
        case = _case_by_reference(s, reference)
        now: datetime = rt.clock()
        end = case.publicity_end
        return {
            **case_facts(case),
            "start": case.publicity_start.date().isoformat(),
            "end": end.date().isoformat() if end else None,
            "days_left": max((end.date() - now.date()).days, 0) if end else 0,
            "objections_open": "objections" in STATE[case.state].tags,
            "rooms": [h.room for h in case.households],
        }


def lodge_objection_as_owner(
    rt: Runtime, reference: str, *, room: str, owner_name: str, phone_tail: str, text: str
) -> int:
    """An owner objects from the posted notice's QR code, proving who they are."""
    from .consent import _lodge, _objection_text, _text

    room = _text(room, "room", "室号").strip()
    owner_name = _text(owner_name, "owner_name", "业主姓名")
    phone_tail = _text(phone_tail, "phone_tail", "手机号后四位")
    extra: list[Message] = []
    try:
        text = _objection_text(text)
    except InvalidInput as exc:
        extra.extend(exc.messages)
    with rt.db.session() as s:
        case = _case_by_reference(s, reference)
        h = next((h for h in case.households if h.room == room), None)
        if h is None:
            raise InvalidInput(
                msg("room", f"住户名单中没有 {room or '该'} 室。", "No such flat on the roster."),
                *extra,
            )
        case_id, household_id = case.id, h.id
    check_owner(rt, household_id, owner_name, phone_tail, extra)
    with rt.db.transaction() as s:
        case = s.get(Case, case_id)
        h = s.get(Household, household_id)
        return _lodge(s, rt, case, h, text, "online", None, "owner")
