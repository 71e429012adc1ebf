"""Firing a trigger: the one use case behind every transition of the declaration.

What differs from trigger to trigger — roles, guards, inputs, effects, letters — is declared in
`workflow.machine`; this function checks and applies it the same way for all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy.orm import joinedload, selectinload

from .. import inputs
from ..data import audit
from ..data.config import calendar, current_settings
from ..data.models import Case, Household, User
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, GuardsFailed, InvalidInput, Message, msg
from ..notify import elevators as elevator_notes
from ..notify import outbox as notifications
from ..papers import documents
from ..papers.render import render_issued
from ..process import effects, guards
from ..process.access import actor_of, case_for, case_roles, conflicted
from ..process.actions import Action, actions_for
from ..process.context import Context
from ..process.guards import failing
from ..process.machine import TRANSITION, Transition, fire_on
from ..process.states import STATE
from ..rules.money import parse_yuan
from .users import Account

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    case_id: int
    reference: str
    state: str
    version: int
    letters: list[int] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)  # outbox messages to send (with a phone)


def render_letters(rt: Runtime, outcome: Outcome) -> None:
    """The transition's letters, made outside its transaction (`papers.render`)."""
    render_issued(rt, outcome.letters)


def send_messages(rt: Runtime, outcome: Outcome) -> None:
    """The transition's text messages, handed to the job queue for delivery."""
    notifications.queued(rt, outcome.messages)


AfterCommit = Callable[[Runtime, Outcome], None]
# Work that follows a committed transition, outside its transaction and its locks.
AFTER_COMMIT: list[AfterCommit] = [render_letters, send_messages]

# What a transition's guards and effects read of the case, loaded with it (a lazy load would
# be a round trip each, and one more per household for its vote). Of the corrections and clock
# pauses, whose history grows with every round of corrections, only the open ones are read.
_READS: dict[Any, tuple[str, ...]] = {
    guards.roster_complete: ("households",),
    guards.consent_quorum_met: ("households",),
    effects.issue_signing_links: ("households",),
    guards.corrections_answered: ("open_corrections",),
    effects.answer_correction: ("open_corrections",),
    effects.set_acceptance_deadline: ("open_pauses",),  # the acceptance clock resumes
    effects.open_review_round: ("open_pauses",),  # the review clock resumes
    guards.supervisors_accepted: ("households", "supervisors"),
    effects.propose_whole_small_unit: ("households", "supervisors"),
    guards.no_open_problem: ("problems",),
    guards.representatives_satisfied: ("supervisors", "acceptance_opinions"),
    guards.dissatisfaction_answered: ("acceptance_opinions",),
    effects.issue_resident_acceptance: (
        "households",
        "supervisors",
        "problems",
        "acceptance_opinions",
        "documents",
    ),
}
_LOADS = {
    "households": selectinload(Case.households).joinedload(Household.vote),
    # At most one open correction and one open pause per clock: joined to the case's row.
    "open_corrections": joinedload(Case.open_corrections),
    "open_pauses": joinedload(Case.open_pauses),
    "supervisors": selectinload(Case.supervisors),
    "problems": selectinload(Case.problems),
    "acceptance_opinions": selectinload(Case.acceptance_opinions),
    "documents": selectinload(Case.documents),
}


@cache
def _loads(t: Transition) -> tuple[Any, ...]:
    wanted = {c for f in (*t.guards, *t.effects) for c in _READS.get(f, ())}
    return tuple(_LOADS[c] for c in sorted(wanted))


def _after_commit(rt: Runtime, outcome: Outcome) -> None:
    for hook in AFTER_COMMIT:
        try:
            hook(rt, outcome)
        except Exception:  # noqa: BLE001 - the transition has committed; report, don't undo
            log.exception("after-commit work %s failed for case %s", hook, outcome.case_id)


def _parse(t: Transition, raw: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Inputs to typed values; malformed ones are refused (400), missing ones left to guards.
    Dates and amounts must also lie in the input policy's ranges."""
    out: dict[str, Any] = {}
    errors: list[Message] = []
    for f in t.fields:
        value = raw.get(f.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            out[f.name] = None
            continue
        try:
            out[f.name] = _in_range(f, _coerce(f.kind, inputs.deep(value, field=f.name)), today)
        except (ValueError, TypeError) as exc:
            errors.append(msg(f.name, f"{f.label}格式不正确：{exc}", f"{f.label_en} is malformed."))
        except InvalidInput as exc:
            errors.extend(exc.messages)
    if errors:
        raise InvalidInput(*errors)
    return out


def _in_range(f: Any, value: Any, today: date) -> Any:
    if f.kind == "date":
        return inputs.day(value, field=f.name, label=f.label, today=today)
    if f.kind == "money":
        return inputs.fen(value, field=f.name, label=f.label)
    return value


def _coerce(kind: str, value: Any) -> Any:
    if kind == "text":
        if not isinstance(value, str):
            raise TypeError("应为文字")
        return value.strip()[:2000]
    if kind == "date":
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    if kind == "money":
        if isinstance(value, bool):
            raise TypeError("应为金额")
        return parse_yuan(str(value))
    if kind == "items":
        return _items(value)
    if kind == "workdays":
        if isinstance(value, bool) or not str(value).strip().isdigit():
            raise ValueError("应为整数天数")
        return int(str(value).strip())
    raise TypeError(kind)


def _items(value: Any) -> list[dict[str, Any]]:
    """Correction items: text lines, or {"document": kind, "text": ...} objects."""
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, list):
        raise TypeError("应为事项列表")
    items = []
    for v in value:
        if isinstance(v, str):
            if v.strip():
                items.append({"document": None, "text": v.strip()[:500]})
        elif isinstance(v, dict):
            kind = v.get("document") or None
            if kind is not None and kind not in documents.KINDS:
                raise ValueError(f"未知材料类型 {kind}")
            text = str(v.get("text") or (documents.KINDS[kind].label if kind else "")).strip()
            if text:
                items.append({"document": kind, "text": text[:500]})
        else:
            raise TypeError("应为事项列表")
    return items


def _context(rt: Runtime, session: Any, case: Case, actor: User, params: dict) -> Context:
    settings = current_settings(session, rt.settings)
    return Context(
        session=session,
        case=case,
        actor=actor,
        roles=case_roles(actor, case, settings),
        settings=settings,
        calendar=calendar(session),
        now=rt.clock(),
        store=rt.store,
        renderer=rt.renderer,
        params=params,
    )


def _refuse_role(t: Transition, actor: User, case: Case, roles: frozenset[str]) -> None:
    if t.roles & roles:
        return
    if conflicted(actor, case):
        raise Forbidden(
            msg(
                "separation_of_duties",
                "您是该案件的申请人或业主，不能以工作人员身份办理。",
                "You applied for this case or own a flat in it; you may not act on it as staff.",
            )
        )
    raise Forbidden(msg("role", f"您无权执行“{t.label}”。", f"You may not perform “{t.label_en}”."))


def fire(
    rt: Runtime,
    actor: User | Account | int,
    case_id: int,
    trigger: str,
    params: Mapping[str, Any] | None = None,
    *,
    expected_version: int | None = None,
) -> Outcome:
    """Fire `trigger` on the case as `actor`: role, separation of duties, state, inputs and
    every guard are checked, then state, audit event and letters commit in one transaction.

    `actor` may be the `Account` the web layer verified for this request (active, session
    current): it is used as it is, not loaded again."""
    t = TRANSITION.get(trigger)
    if t is None:
        raise InvalidInput(msg("trigger", f"未知操作：{trigger}", f"Unknown action: {trigger}"))
    parsed = _parse(t, params or {}, rt.clock().date())
    with rt.db.transaction() as s:
        user = actor if isinstance(actor, Account) and actor.active else actor_of(s, actor)
        case = case_for(s, user, case_id, _loads(t))
        ctx = _context(rt, s, case, user, parsed)
        _refuse_role(t, user, case, ctx.roles)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(
                msg(
                    "stale",
                    "案件已被他人更新，请刷新页面后重试。",
                    "The case was changed by someone else; reload and try again.",
                )
            )
        if case.state not in t.sources:
            label = STATE[case.state].label
            raise Conflict(
                msg(
                    "state",
                    f"案件当前状态为“{label}”，不能执行“{t.label}”。",
                    f"“{t.label_en}” is not possible while the case is {STATE[case.state].label_en}.",
                )
            )
        problems = failing(t.guards, ctx)
        if problems:
            raise GuardsFailed(*problems)
        from_state = case.state
        parsed["_from_state"] = from_state
        parsed["_trigger"] = trigger
        case.updated_at = ctx.now
        # Effects, letter numbers, the audit event and the outbox are written by one flush at
        # the end, where the version check happens (a lost race raises StaleDataError): their
        # queries (letter number, quorum figures, the chain's head) must not flush the
        # half-changed case on the way.
        with s.no_autoflush:
            if not fire_on(case, trigger, ctx=ctx, checked=True):
                raise GuardsFailed(*failing(t.guards, ctx))
            event = audit.append(
                s,
                kind=trigger,
                at=ctx.now,
                actor=user,
                role=",".join(sorted(ctx.roles & t.roles)),
                case=case,
                from_state=from_state,
                to_state=case.state,
                payload={
                    **{k: v for k, v in parsed.items() if not k.startswith("_")},
                    "letters": [letter.number for letter in ctx.issued],
                },
                flush=False,
            )
            # Whoever the case now waits on is told, in this same transaction (the outbox).
            messages = notifications.on_transition(
                s,
                case,
                user,
                trigger,
                from_state,
                ctx.settings,
                ctx.now,
                rate_act=event.seq if t.rateable else None,
            )
            if trigger == "confirm_completion":  # the elevator joined the register
                messages += elevator_notes.registered(s, case, ctx.settings, ctx.now)
        s.flush()
        outcome = Outcome(
            case.id,
            case.reference,
            case.state,
            case.version,
            [x.id for x in ctx.issued],
            [m.id for m in messages if m.status == "pending"],
        )
    _after_commit(rt, outcome)
    return outcome


def actions(rt: Runtime, actor: User | int, case_id: int) -> list[Action]:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        return actions_for(_context(rt, s, case, user, {}))
