"""The admin puts an installer on the city's list of those barred from new work (黑名单) and
takes it off. Each bar is a row kept for ever; each change is an event in the system's audit
chain, so the history of bars stays in the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ..data import audit
from ..data.models import InstallerBar, User
from ..data.runtime import Runtime
from ..errors import InvalidInput, Message, NotFound, msg
from ..process.access import actor_of, require_role
from ..rules.credit_code import credit_code_problem, normalise


def _code(credit_code: str) -> str:
    code = normalise(credit_code or "")
    if problem := credit_code_problem(code):
        raise InvalidInput(msg("credit_code", problem, "Invalid unified social credit code."))
    return code


def bar_installer(
    rt: Runtime,
    actor: User | int,
    credit_code: str,
    reason: Any,
    document_number: Any,
    until: Any,
) -> int:
    """Bar an installer from new work until `until` (inclusive). A bar already in force is
    replaced by the new one (the old row is lifted, so the history keeps both)."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        require_role(user, "admin")
        code = _code(credit_code)
        today = rt.clock().date()
        errors: list[Message] = []
        reason = str(reason or "").strip()
        number = str(document_number or "").strip()
        if not reason or len(reason) > 500:
            errors.append(msg("reason", "请填写列入名单的理由（500 字以内）。", "Give the reason."))
        if not number or len(number) > 64:
            errors.append(
                msg("document_number", "请填写决定文书的文号。", "Give the document number.")
            )
        try:
            end = until if isinstance(until, date) else date.fromisoformat(str(until or ""))
            if end < today:
                errors.append(msg("until", "截止日期不能早于今天。", "`until` is in the past."))
        except ValueError:
            errors.append(msg("until", "请填写截止日期（年-月-日）。", "Give `until` as a date."))
        if errors:
            raise InvalidInput(*errors)
        now = rt.clock()
        for old in _in_force(s, code, today):
            old.lifted_at, old.lifted_by_id = now, user.id
        bar = InstallerBar(
            credit_code=code,
            reason=reason,
            document_number=number,
            barred_on=today,
            until=end,
            barred_by_id=user.id,
        )
        s.add(bar)
        s.flush()
        audit.append(
            s,
            kind="installer_barred",
            at=now,
            actor=user,
            role="admin",
            payload={
                "credit_code": code,
                "reason": reason,
                "document_number": number,
                "until": end.isoformat(),
            },
        )
        return bar.id


def lift_bar(rt: Runtime, actor: User | int, credit_code: str) -> None:
    """Take an installer off the list (the bar's row stays, marked lifted)."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        require_role(user, "admin")
        code = _code(credit_code)
        bars = _in_force(s, code, rt.clock().date())
        if not bars:
            raise NotFound(msg("bar", "该安装单位未被列入名单。", "This installer is not barred."))
        now = rt.clock()
        for bar in bars:
            bar.lifted_at, bar.lifted_by_id = now, user.id
        audit.append(
            s,
            kind="installer_bar_lifted",
            at=now,
            actor=user,
            role="admin",
            payload={"credit_code": code, "document_numbers": [b.document_number for b in bars]},
        )


def _in_force(s: Any, code: str, today: date) -> list[InstallerBar]:
    return list(
        s.scalars(
            select(InstallerBar).where(
                InstallerBar.credit_code == code,
                InstallerBar.lifted_at.is_(None),
                InstallerBar.until >= today,
            )
        )
    )
