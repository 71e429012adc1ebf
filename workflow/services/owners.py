"""Owners without an account: the public notice, and objections to it from its QR code.

Proving who an owner is lives in `households`, shared with signing (`consent`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..data.models import Case, Household
from ..data.runtime import Runtime
from ..errors import InvalidInput, Message, NotFound, msg
from ..papers.facts import case_facts
from ..process.states import STATE
from .households import (  # noqa: F401  (MAX_FAILED, PAUSE, identity_problems: public here too)
    MAX_FAILED,
    PAUSE,
    check_owner,
    identity_problems,
    lodge,
    objection_text,
    typed_text,
)

NOTICE_NOT_FOUND = msg("notice", "未找到该公示。", "No such public notice.")


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
    room = typed_text(room, "room", "室号").strip()
    owner_name = typed_text(owner_name, "owner_name", "业主姓名")
    phone_tail = typed_text(phone_tail, "phone_tail", "手机号后四位")
    extra: list[Message] = []
    try:
        text = objection_text(text)
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
        return lodge(s, rt, case, h, text, "online", None, "owner")
