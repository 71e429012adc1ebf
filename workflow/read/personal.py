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
    Case,
    Document,
    Event,
    Household,
    NoticeSeen,
    Objection,
    OutboxMessage,
    PrivacyRequest,
    StoredFile,
    User,
)
from ..data.privacy import ACTIONS
from ..papers import documents
from ..papers.facts import mask_phone
from ..process.states import STATE

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
VIEWED = "personal_data_viewed"


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
            "reason": (e.payload or {}).get("reason", ""),
        }
        for e, ref in rows
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


def account_data(s: Session, user: User, now: datetime) -> dict[str, Any]:
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
