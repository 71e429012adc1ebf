"""The audit log: every transition and recorded fact appends one event, chained by SHA-256.

Each case has its own chain ("case:<id>"), everything else the "system" chain, so that writers
on different cases never wait for each other; (chain, seq) is unique, so two writers that race
for the same link cannot both commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from .models import Case, Event, User
from .standins import acting_for, display_name, on_behalf

GENESIS = "0" * 64
# The hashed form of an event; one encoder, as json.dumps would build a new one per event.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _canonical_time(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def hashed_fields(e: Event) -> dict[str, Any]:
    """The fields an event's hash is made of, in the form they are hashed."""
    return {
        "chain": e.chain,
        "seq": e.seq,
        "prev": e.prev_hash,
        "case": e.case_id,
        "actor": e.actor_id,
        "actor_name": e.actor_name,
        "role": e.actor_role,
        "at": _canonical_time(e.at),
        "kind": e.kind,
        "from": e.from_state,
        "to": e.to_state,
        "payload": e.payload or {},
    }


def canonical_digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(_CANONICAL.encode(body).encode()).hexdigest()


def event_digest(e: Event) -> str:
    return canonical_digest(hashed_fields(e))


_HEAD = (
    select(Event.seq, Event.hash)
    .where(Event.chain == bindparam("chain"))
    .order_by(Event.seq.desc())
    .limit(1)
)


_COLUMNS = (
    "chain", "seq", "case_id", "actor_id", "actor_name", "actor_role", "at", "kind",
    "from_state", "to_state", "payload", "prev_hash", "hash",
)  # fmt: skip


_INSERT = insert(Event.__table__)


def chain_of(case: Case | None) -> str:
    return f"case:{case.id}" if case is not None else "system"


def head(session: Session, chain: str) -> tuple[int, str]:
    """The chain's last sequence number and hash; (0, GENESIS) for a chain not yet begun."""
    last = session.execute(_HEAD, {"chain": chain}).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def append(
    session: Session,
    *,
    kind: str,
    at: datetime,
    actor: User | None,
    case: Case | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    payload: dict[str, Any] | None = None,
    role: str | None = None,
    flush: bool = True,
    on_behalf_of: User | None = None,
) -> Event:
    """Append an event to the case's chain (or the system's). `flush=False`: written at once
    as a plain INSERT, outside the session's unit of work (the event is returned unattached;
    a transition, whose one flush carries its other rows, reads nothing back from it).
    `on_behalf_of`: the absent colleague whose stand-in the actor acts as, when the use case
    knows it better than the case's handlers tell (a lead's stand-in assigning)."""
    chain = chain_of(case)
    last_seq, prev = head(session, chain)
    seq = last_seq + 1
    actor_name = display_name(actor) if actor else ""
    # A stand-in acting on a case an absent colleague handles acts in their stead (代理): the
    # event names both, "李四（代张三）", and says whom in its payload.
    absent = on_behalf_of or (
        acting_for(session, actor, case.id, at.date())
        if actor is not None and case is not None and case.id is not None
        else None
    )
    if absent is not None:
        actor_name = on_behalf(actor_name, display_name(absent))
        payload = {
            **(payload or {}),
            "on_behalf_of": {"id": absent.id, "name": display_name(absent)},
        }
    event = Event(
        chain=chain,
        seq=seq,
        case_id=case.id if case is not None else None,
        actor_id=actor.id if actor else None,
        actor_name=actor_name,
        actor_role=role or (actor.role if actor else "public"),
        at=at.replace(tzinfo=None),
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        payload=json.loads(json.dumps(payload or {}, ensure_ascii=False, default=str)),
        prev_hash=prev,
    )
    event.hash = event_digest(event)
    if not flush:
        session.connection().execute(_INSERT, {c: getattr(event, c) for c in _COLUMNS})
        return event
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class Break:
    chain: str
    seq: int
    event_id: int
    reason: str


def verify(session: Session) -> tuple[int, Break | None]:
    """Walk every chain; return how many events were checked and the first broken link."""
    checked = 0
    chains = session.scalars(select(Event.chain).distinct().order_by(Event.chain)).all()
    for chain in chains:
        prev, expected_seq = GENESIS, 1
        for e in session.scalars(select(Event).where(Event.chain == chain).order_by(Event.seq)):
            checked += 1
            if e.seq != expected_seq:
                return checked, Break(chain, e.seq, e.id, f"序号不连续：期望 {expected_seq}")
            if e.prev_hash != prev:
                return checked, Break(
                    chain, e.seq, e.id, "与上一事件的链接不符（上一事件被改动或删除）"
                )
            if event_digest(e) != e.hash:
                return checked, Break(chain, e.seq, e.id, "事件内容与其哈希不符（事件被改动）")
            prev, expected_seq = e.hash, e.seq + 1
    return checked, None


def count(session: Session) -> int:
    return session.scalar(select(func.count(Event.id))) or 0
