"""Who owns which flat, for the consent quorum (法释〔2009〕7号第九条).

The law counts area per flat but owners per person: one buyer of several flats is one owner,
and the flats the developer has not sold or handed over count as one owner together. The
roster recognises the same person by the ID number where one is given, else by name and phone
together; a clerk's ruling (`owner_group`) overrides both.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, inspect, select

from ..rules import quorum
from .models import Case, Household, Vote
from .settings import Settings

_COUNT_WORDS = "零一两三四五六七八九十"
DEVELOPER = ("developer",)


def _norm(text: str | None) -> str:
    return "".join((text or "").split()).upper()


def owner_key(h: Household) -> Hashable | None:
    """What makes two flats one owner's; None: this flat's owner owns no other flat."""
    if h.owner_group:
        return ("group", h.owner_group)
    if h.developer_held:
        return DEVELOPER
    if _norm(h.id_number):
        return ("id", _norm(h.id_number))
    if h.phone and _norm(h.owner_name):
        return ("name_phone", _norm(h.owner_name), h.phone)
    return None


@dataclass(frozen=True, slots=True)
class _Choice:
    choice: str


@dataclass(frozen=True, slots=True)
class Flat:
    """What the count and the letters read of a household and its vote, from one query."""

    room: str
    floor: int | None
    area: Any
    owner_name: str
    phone: str | None
    id_number: str | None
    owner_group: str | None
    developer_held: bool
    vote_stands: bool
    vote: _Choice | None


_FLAT_COLUMNS = (
    Household.room,
    Household.floor,
    Household.area,
    Household.owner_name,
    Household.phone,
    Household.id_number,
    Household.owner_group,
    Household.developer_held,
    Household.vote_stands,
    Vote.choice,
)


_FLATS = (
    select(*_FLAT_COLUMNS)
    .outerjoin(Vote, Vote.household_id == Household.id)
    .where(Household.case_id == bindparam("case_id"))
    .order_by(Household.position)
)


def flats(case: Case) -> Sequence[Household | Flat]:
    """The case's households in roster order. Loaded ones as they are; otherwise read in one
    query with their votes' choices (a lazy load would cost a query per household's vote)."""
    state = inspect(case)
    if "households" not in state.unloaded or state.session is None or case.id is None:
        return case.households
    rows = state.session.execute(_FLATS, {"case_id": case.id})
    return [Flat(*row[:-1], vote=_Choice(row[-1]) if row[-1] else None) for row in rows]


def ballots(case: Case, hs: Sequence[Household | Flat] | None = None) -> list[quorum.Ballot]:
    return [
        quorum.Ballot(
            h.area,
            h.vote.choice if h.vote else None,
            owner_key(h),
            bool(h.vote_stands),
        )
        for h in (flats(case) if hs is None else hs)
    ]


def case_quorum(
    case: Case, settings: Settings, hs: Sequence[Household | Flat] | None = None
) -> quorum.QuorumResult:
    return quorum.consent_quorum(
        ballots(case, hs), quorum.QuorumThresholds(settings.participation, settings.agreement)
    )


def mask_id_number(id_number: str | None) -> str:
    """Only the last four characters of an ID number are ever shown."""
    value = _norm(id_number)
    if not value:
        return ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


def _surname(name: str) -> str:
    # "张三、李四" (co-owners) → 张某: enough to recognise, nothing more on a public page.
    first = (name or "").strip()[:1]
    return f"{first}某" if first else "业主"


def _count_word(n: int) -> str:
    return _COUNT_WORDS[n] if n < len(_COUNT_WORDS) else str(n)


def explain(case: Case, hs: Sequence[Household | Flat] | None = None) -> dict[str, Any]:
    """The count in plain words: "6 户，5 位业主（张某拥有 501、601 两套）"."""
    hs = list(flats(case) if hs is None else hs)
    groups = quorum.owners_of(ballots(case, hs))
    parts_zh, parts_en = [], []
    for group in groups:
        if len(group) < 2:
            continue
        rooms = [hs[i].room for i in group]
        if owner_key(hs[group[0]]) == DEVELOPER:
            parts_zh.append(f"开发建设单位持有的 {'、'.join(rooms)} 计为 1 位业主")
            parts_en.append(f"the developer's flats {', '.join(rooms)} count as one owner")
        else:
            who = _surname(hs[group[0]].owner_name)
            parts_zh.append(f"{who}拥有 {'、'.join(rooms)} {_count_word(len(rooms))}套")
            parts_en.append(f"one owner holds flats {', '.join(rooms)}")
    zh = f"{len(hs)} 户，{len(groups)} 位业主"
    en = f"{len(hs)} flats, {len(groups)} owner{'s' if len(groups) != 1 else ''}"
    if parts_zh:
        zh += "（" + "；".join(parts_zh) + "）"
        en += " (" + "; ".join(parts_en) + ")"
    return {"text": zh, "text_en": en, "households": len(hs), "owners": len(groups)}


def conflicts(case: Case, result: quorum.QuorumResult) -> list[dict[str, Any]]:
    """Owners whose flats voted differently, with no standing vote recorded yet."""
    hs = list(case.households)
    labels = {"agree": "同意", "object": "反对", "abstain": "弃权"}
    out = []
    for flats in result.conflicts:
        rooms = [hs[i].room for i in flats]
        votes = "、".join(
            f"{hs[i].room} {labels[hs[i].vote.choice]}" for i in flats if hs[i].vote is not None
        )
        who = _surname(hs[flats[0]].owner_name)
        out.append(
            {
                "rooms": rooms,
                "text": f"{who}的 {'、'.join(rooms)} 表决意见不一致（{votes}），"
                "请窗口按单元议事规则登记以哪一套的意见为准；登记前计为参与表决、不计为同意。",
                "text_en": f"One owner's flats {', '.join(rooms)} voted differently; the window "
                "records which vote stands (until then: taking part, not agreeing).",
            }
        )
    return out


def same_owner_rooms(case: Case, rooms: Sequence[str]) -> list[Household]:
    """The flats named and every flat already counted as the same owner as any of them."""
    hs = list(case.households)
    keys = {owner_key(h) for h in hs if h.room in rooms} - {None}
    return [h for h in hs if h.room in rooms or (owner_key(h) in keys)]
