"""我的信息: everything the product holds about one person (个人信息保护法第四十五条), for the
signed-in owner (their account, the flats registered under their phone) or for one household
through its signing link. Only that person's own rows: a neighbour's line never appears.

Read through a link, names, phones and ID numbers are shown masked: a link can be forwarded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..data.models import (
    AcceptanceOpinion,
    Case,
    Document,
    Event,
    Household,
    NoticeSeen,
    Objection,
    OutboxMessage,
    PrivacyRequest,
    Problem,
    Rating,
    StoredFile,
    Supervisor,
    User,
)
from ..data.privacy import ACTIONS, VIEWED, VIEWED_FIELDS
from ..data.settings import Settings
from ..papers import documents
from ..papers.facts import mask_phone
from ..process.machine import TRANSITION
from ..process.states import STATE
from ..rules.ratings import LEVELS, desk_label

CHOICES = {"agree": "同意", "object": "反对", "abstain": "弃权"}
DESKS = {"clerk": "窗口受理", "approver": "审批", "admin": "系统管理"}
REQUEST_KINDS = {"correct": "更正", "delete": "删除"}
REQUEST_STATES = {"open": "办理中", "done": "已办理", "refused": "不予办理"}
# 个人信息保护法第四十七条: what must be kept is kept; a refusal names one of these.
LEGAL_REASONS = {
    "record_kept": (
        "该信息属于行政许可案卷的组成部分，依《中华人民共和国档案法》和《行政许可法》应当保存，"
        "保存期限未届满（个人信息保护法第四十七条第一款第一项）。"
    ),
    "vote_evidence": (
        "该信息是业主共同决定（民法典第二百七十八条）的表决证据，删除将影响其他业主的权益"
        "（个人信息保护法第四十七条）。"
    ),
    "inaccurate_claim": (
        "经核对，现有信息与登记材料一致，申请更正的内容缺少证明材料（个人信息保护法第四十六条）。"
    ),
}


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else ""


def mask_id(number: str | None) -> str | None:
    if not number:
        return number
    return number[:3] + "*" * max(len(number) - 7, 0) + number[-4:]


def _at(t: datetime | None) -> str | None:
    return t.strftime("%Y-%m-%d %H:%M") if t else None


def _case(c: Case, role: str) -> dict[str, Any]:
    return {
        "reference": c.reference,
        "address": f"{c.community} {c.address} {c.building}{c.unit}",
        "state": c.state,
        "state_label": STATE[c.state].label,
        "role": role,
        "created_at": _at(c.created_at),
    }


def _household(h: Household, masked: bool) -> dict[str, Any]:
    return {
        "reference": h.case.reference,
        "room": h.room,
        "floor": h.floor,
        "area": f"{h.area:.2f}",
        "owner_name": mask_name(h.owner_name) if masked else h.owner_name,
        "phone": mask_phone(h.phone) if masked else h.phone,
        "id_number": mask_id(h.id_number) if masked else h.id_number,
    }


def _vote(h: Household, masked: bool) -> dict[str, Any] | None:
    v = h.vote
    if v is None:
        return None
    return {
        "reference": h.case.reference,
        "room": h.room,
        "choice": v.choice,
        "choice_label": CHOICES.get(v.choice, v.choice),
        "channel": v.channel,
        "signed_at": _at(v.signed_at),
        "signed_by": mask_name(v.signature_name) if masked else v.signed_as,
        "drawn_signature": bool(v.signature_image),
        "proxy_document": bool(v.proxy_document),
    }


def _requests(s: Session, where: Any) -> list[dict[str, Any]]:
    rows = s.scalars(select(PrivacyRequest).where(where).order_by(PrivacyRequest.id))
    return [request_row(r) for r in rows]


def request_row(r: PrivacyRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "kind_label": REQUEST_KINDS[r.kind],
        "text": r.text,
        "made_at": _at(r.made_at),
        "due": r.due.isoformat(),
        "state": r.state,
        "state_label": REQUEST_STATES[r.state],
        "answer": r.answer,
        "legal_reason": LEGAL_REASONS.get(r.legal_reason or "") if r.legal_reason else None,
        "answered_at": _at(r.answered_at),
    }


def data_views(s: Session, case_ids: list[int]) -> list[dict[str, Any]]:
    """Which desks saw these cases' personal data unmasked, when and why."""
    if not case_ids:
        return []
    rows = s.execute(
        select(Event, Case.reference)
        .join(Case, Case.id == Event.case_id)
        .where(Event.kind == VIEWED, Event.case_id.in_(case_ids))
        .order_by(Event.at, Event.id)
    )
    return [
        {
            "at": _at(e.at),
            "reference": ref,
            "desk": DESKS.get(e.actor_role, e.actor_role),
            "fields": list((e.payload or {}).get("fields", [])),
            "what": viewed_what(e.payload),
            "reason": (e.payload or {}).get("reason", ""),
        }
        for e, ref in rows
    ]


def viewed_what(payload: dict[str, Any] | None) -> str:
    """What was shown, in words: 完整手机号、问题照片、归档包…"""
    fields = (payload or {}).get("fields", [])
    return "、".join(VIEWED_FIELDS.get(f, f) for f in fields)


# — the residents' part: representatives, problems, acceptance; the applicant's ratings ——————

REPLIED_BY = {"own": "本户", "representative": "居民监督代表", "applicant": "申请人"}


def _supervision(s: Session, household_ids: list[int]) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(Supervisor).where(Supervisor.household_id.in_(household_ids)).order_by(Supervisor.id)
    )
    return [
        {
            "reference": x.household.case.reference,
            "room": x.household.room,
            "proposed_at": _at(x.proposed_at),
            "accepted_at": _at(x.accepted_at),
            "accepted_channel": x.accepted_channel,
            "stepped_down_at": _at(x.stepped_down_at),
            "stepped_down_reason": x.stepped_down_reason,
        }
        for x in rows
    ]


def _problems(s: Session, household_ids: list[int]) -> list[dict[str, Any]]:
    """Problems this household reported, with what followed; who replied is named by role
    only: a representative who closed it is a neighbour."""
    rows = s.scalars(
        select(Problem).where(Problem.household_id.in_(household_ids)).order_by(Problem.id)
    )

    def by(p: Problem, household_id: int | None) -> str:
        if household_id is None:
            return "applicant"
        return "own" if household_id == p.household_id else "representative"

    out = []
    for p in rows:
        replies = []
        for r in p.replies:
            who = by(p, r.household_id)
            replies.append(
                {
                    "kind": r.kind,
                    "by": who,
                    "by_label": REPLIED_BY[who],
                    "text": r.text,
                    "photos": len(r.photos or []),
                    "at": _at(r.at),
                }
            )
        out.append(
            {
                "reference": p.household.case.reference,
                "room": p.household.room,
                "text": p.text,
                "photos": len(p.photos or []),
                "reported_at": _at(p.reported_at),
                "closed_at": _at(p.closed_at),
                "close_reason": p.close_reason,
                "replies": replies,
            }
        )
    return out


def _acceptance(s: Session, household_ids: list[int]) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(AcceptanceOpinion)
        .where(AcceptanceOpinion.household_id.in_(household_ids))
        .order_by(AcceptanceOpinion.id)
    )
    return [
        {
            "reference": o.household.case.reference,
            "room": o.household.room,
            "round": o.acceptance_round,
            "opinion": o.opinion,
            "opinion_label": documents.OPINIONS[o.opinion][0],
            "reason": o.reason,
            "given_at": _at(o.given_at),
            "answer": o.answer,
            "answered_at": _at(o.answered_at),
        }
        for o in rows
    ]


def _ratings(s: Session, user: User, settings: Settings) -> list[dict[str, Any]]:
    rows = s.execute(
        select(Rating, Case.reference)
        .join(Case, Case.id == Rating.case_id)
        .where(Rating.rater_id == user.id)
        .order_by(Rating.id)
    )
    return [
        {
            "reference": ref,
            "act": TRANSITION[r.trigger].label if r.trigger in TRANSITION else r.trigger,
            "desk": desk_label(r.desk, settings),
            "level": r.level,
            "level_label": LEVELS[r.level],
            "comment": r.comment,
            "rated_at": _at(r.rated_at),
            "rectification": r.rectification,
            "rectified_at": _at(r.rectified_at),
            "followup_level": r.followup_level,
            "followup_label": LEVELS.get(r.followup_level or 0),
            "followup_comment": r.followup_comment,
        }
        for r, ref in rows
    ]


def _messages(s: Session, where: Any, masked: bool) -> list[dict[str, Any]]:
    rows = s.scalars(select(OutboxMessage).where(where).order_by(OutboxMessage.id))
    return [
        {
            "at": _at(m.created_at),
            "kind": m.kind,
            "text": m.text,
            "phone": (mask_phone(m.phone) if masked else m.phone) if m.phone else None,
            "status": m.status,
        }
        for m in rows
    ]


def _seen(s: Session, where: Any) -> list[dict[str, Any]]:
    rows = s.scalars(select(NoticeSeen).where(where).order_by(NoticeSeen.id))
    return [
        {
            "version": n.version,
            "action": n.action,
            "action_label": ACTIONS[n.action],
            "at": _at(n.at),
        }
        for n in rows
    ]


def account_data(s: Session, user: User, now: datetime, settings: Settings) -> dict[str, Any]:
    """The signed-in person's data: their account, their cases, the flats under their phone."""
    phone = user.phone or user.username
    flats = list(
        s.scalars(select(Household).where(Household.phone == phone).order_by(Household.id))
    )
    own = [h.id for h in flats]
    applied = list(s.scalars(select(Case).where(Case.applicant_id == user.id).order_by(Case.id)))
    cases = [_case(c, "applicant") for c in applied]
    cases += [_case(h.case, "household") for h in flats if h.case.applicant_id != user.id]
    uploads = s.execute(
        select(Document, Case.reference, StoredFile.size)
        .join(Case, Case.id == Document.case_id)
        .outerjoin(StoredFile, StoredFile.sha256 == Document.sha256)
        .where(Document.uploaded_by_id == user.id)
        .order_by(Document.id)
    )
    objections = s.scalars(
        select(Objection).where(Objection.household_id.in_(own)).order_by(Objection.id)
    )
    to_them = or_(OutboxMessage.user_id == user.id, OutboxMessage.household_id.in_(own))
    return {
        "subject": "account",
        "generated_at": _at(now),
        "account": {
            "username": user.username,
            "name": user.name,
            "phone": user.phone,
            "role": user.role,
            "created_at": _at(user.created_at),
        },
        "cases": cases,
        "households": [_household(h, False) for h in flats],
        "votes": [v for v in (_vote(h, False) for h in flats) if v],
        "objections": [_objection(o) for o in objections],
        "supervision": _supervision(s, own),
        "problems": _problems(s, own),
        "acceptance": _acceptance(s, own),
        "ratings": _ratings(s, user, settings),
        "uploads": [
            {
                "reference": ref,
                "kind": d.kind,
                "label": documents.KINDS[d.kind].label if d.kind in documents.KINDS else d.kind,
                "filename": d.filename,
                "uploaded_at": _at(d.created_at),
                "size": size,
                "sha256": d.sha256,
            }
            for d, ref, size in uploads
        ],
        "messages": _messages(s, to_them, False),
        "notices_seen": _seen(s, NoticeSeen.user_id == user.id),
        "requests": _requests(s, PrivacyRequest.user_id == user.id),
        "data_views": data_views(s, sorted({h.case_id for h in flats})),
    }


def _objection(o: Objection) -> dict[str, Any]:
    return {
        "reference": o.case.reference,
        "text": o.text,
        "lodged_at": _at(o.lodged_at),
        "resolution": o.resolution,
    }


def household_data(s: Session, h: Household, now: datetime) -> dict[str, Any]:
    """One household's data, for whoever holds its signing link: masked names and numbers."""
    objections = s.scalars(
        select(Objection).where(Objection.household_id == h.id).order_by(Objection.id)
    )
    vote = _vote(h, True)
    return {
        "subject": "household",
        "generated_at": _at(now),
        "cases": [_case(h.case, "household")],
        "households": [_household(h, True)],
        "votes": [vote] if vote else [],
        "objections": [_objection(o) for o in objections],
        "supervision": _supervision(s, [h.id]),
        "problems": _problems(s, [h.id]),
        "acceptance": _acceptance(s, [h.id]),
        "ratings": [],  # ratings are the applicant's, given from an account
        "uploads": (
            [{"reference": h.case.reference, "kind": "proxy_document", "label": "授权委托书"}]
            if h.vote is not None and h.vote.proxy_document
            else []
        ),
        "messages": _messages(s, OutboxMessage.household_id == h.id, True),
        "notices_seen": _seen(s, NoticeSeen.household_id == h.id),
        "requests": _requests(s, PrivacyRequest.household_id == h.id),
        "data_views": data_views(s, [h.case_id]),
    }
