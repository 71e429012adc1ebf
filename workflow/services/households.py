"""An owner's household, below both consent and the public notice: proving who the owner is,
and recording an objection. Both `consent` and `owners` use these; neither imports the other.

An owner proves they are the household on the roster with the owner's name and the last four
digits of the phone number the applicant entered. Four digits can be guessed, so wrong answers
are counted per household and, after `MAX_FAILED`, checks pause for `PAUSE`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..data import audit
from ..data.models import Case, Household, Objection, User
from ..data.runtime import Runtime
from ..errors import Conflict, InvalidInput, Message, msg
from ..process.states import STATE

MAX_FAILED = 5
PAUSE = timedelta(minutes=30)


def typed_text(value: object, code: str, label: str) -> str:
    """Text typed by a person; anything else (a number, a list from a JSON client) is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(msg(code, f"{label}应为文字。", f"{code} must be text."))
    return value


def _norm(value: str) -> str:
    return "".join((value or "").split())


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


def objection_text(text: str) -> str:
    text = typed_text(text, "text", "异议内容").strip()
    if not text:
        raise InvalidInput(msg("text", "请填写异议内容。", "Describe the objection."))
    return text[:4000]


def lodge(
    s: Any,
    rt: Runtime,
    case: Case,
    h: Household | None,
    text: str,
    channel: str,
    user: User | None,
    role: str,
    scan: str | None = None,
) -> int:
    if "objections" not in STATE[case.state].tags:
        raise Conflict(
            msg("closed", "当前阶段不受理异议。", "Objections are not taken at this stage.")
        )
    now = rt.clock()
    o = Objection(
        case_id=case.id,
        household_id=h.id if h else None,
        text=text,
        channel=channel,
        lodged_at=now,
        recorded_by_id=user.id if user else None,
        scan_sha256=scan,
    )
    s.add(o)
    case.objections.append(o)
    s.flush()
    audit.append(
        s,
        kind="objection",
        at=now,
        actor=user,
        role=role,
        case=case,
        payload={"objection": o.id, "room": h.room if h else None, "text": text},
    )
    return o.id
