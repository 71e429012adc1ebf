"""A clerk's rulings on who owns which flat, for the headcount of the consent quorum.

法释〔2009〕7号第九条 counts one buyer of several flats as one owner. The roster recognises the
same owner by ID number, or by name and phone; where that is wrong or incomplete, the clerk
marks flats as one owner's, or separates a flat, and says why (the note goes to the audit log).
When one owner's flats voted differently, the clerk records which vote stands, as the unit's
rules say.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..data import audit, ownership
from ..data.models import Case, Household, User
from ..data.runtime import Runtime
from ..errors import InvalidInput, msg
from .consent import _clerk_on, _household
from .households import typed_text

_CLOSED = msg(
    "closed",
    "只有意见征询期间可以调整业主人数的认定。",
    "Owners can be re-counted only during the consultation.",
)


def _note(note: Any) -> str:
    note = typed_text(note, "note", "说明").strip()
    if not note:
        raise InvalidInput(
            msg("note", "请说明依据（如房产证、购房合同）。", "Say on what grounds.")
        )
    return note[:2000]


def _log(s: Any, rt: Runtime, user: User, case: Case, kind: str, payload: dict) -> None:
    audit.append(s, kind=kind, at=rt.clock(), actor=user, role="clerk", case=case, payload=payload)


def mark_same_owner(
    rt: Runtime, actor: User | int, case_id: int, rooms: Sequence[str], note: str
) -> None:
    """The flats named (and those already counted with them) are one owner's."""
    note = _note(note)
    rooms = [typed_text(r, "rooms", "室号").strip() for r in rooms or [] if r]
    if len(set(rooms)) < 2:
        raise InvalidInput(
            msg("rooms", "请至少选择两套房屋。", "Choose at least two flats of one owner.")
        )
    with rt.db.transaction() as s:
        user, case = _clerk_on(s, actor, case_id, "voting", _CLOSED)
        named = [_household(case, r) for r in rooms]
        flats = ownership.same_owner_rooms(case, [h.room for h in named])
        group = next((h.owner_group for h in named if h.owner_group), None) or f"h{named[0].id}"
        for h in flats:
            h.owner_group = group
        _log(s, rt, user, case, "owners_marked", {"rooms": [h.room for h in flats], "note": note})


def separate_owner(rt: Runtime, actor: User | int, case_id: int, room: str, note: str) -> None:
    """This flat's owner owns no other flat of the unit (undoes a mark or a recognised match)."""
    note = _note(note)
    with rt.db.transaction() as s:
        user, case = _clerk_on(s, actor, case_id, "voting", _CLOSED)
        h: Household = _household(case, room)
        h.owner_group, h.vote_stands = f"s{h.id}", False
        _log(s, rt, user, case, "owner_separated", {"room": h.room, "note": note})


def record_standing_vote(
    rt: Runtime, actor: User | int, case_id: int, room: str, note: str
) -> None:
    """For an owner whose flats voted differently: this flat's vote counts for the person."""
    note = _note(note)
    with rt.db.transaction() as s:
        user, case = _clerk_on(s, actor, case_id, "voting", _CLOSED)
        h = _household(case, room)
        if h.vote is None:
            raise InvalidInput(
                msg("room", f"{h.room} 室尚未表决。", f"Room {h.room} has not voted.")
            )
        key = ownership.owner_key(h)
        for other in case.households:
            if key is not None and ownership.owner_key(other) == key:
                other.vote_stands = False
        h.vote_stands = True
        _log(
            s, rt, user, case, "standing_vote",
            {"room": h.room, "choice": h.vote.choice, "note": note},
        )  # fmt: skip
