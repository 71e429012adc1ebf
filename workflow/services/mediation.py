"""Mediation (调解) of owners' objections by the community's or 街道's mediator.

An objection is settled only by the objector's withdrawal (by its own household link, or by a
signed paper the mediator uploads) or by a mediation outcome; each outcome issues the
调解意见书 (document kind `mediation_record`), QR-verifiable like the letters. While an
objection is open the case cannot be submitted (`guards.no_open_objection`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from .. import inputs
from ..data import audit
from ..data.config import current_settings
from ..data.models import (
    Case,
    Document,
    Household,
    Mediation,
    MediationSession,
    Objection,
    OutboxMessage,
    User,
)
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, msg
from ..notify import outbox
from ..papers import documents, letters
from ..process.access import actor_of, case_for, case_roles
from ..process.states import STATE
from .files import check_file

log = logging.getLogger(__name__)

MEDIATION_NOT_FOUND = msg("mediation", "未找到该调解。", "No such mediation.")
WITHDRAWN = "异议人撤回异议。"


def _open_objection(case: Case, objection_id: int) -> Objection:
    o = next((o for o in case.objections if o.id == objection_id), None)
    if o is None:
        raise NotFound(msg("objection", "未找到该异议。", "No such objection."))
    if o.resolved_at is not None:
        raise Conflict(msg("resolved", "该异议已经处理完毕。", "The objection is settled."))
    return o


def refer(rt: Runtime, actor: User | int, case_id: int, objection_id: int) -> int:
    """The clerk or the applicant refers an open objection to mediation; the objector is told."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        settings = current_settings(s, rt.settings)
        roles = case_roles(user, case, settings)
        if not roles & {"clerk", "applicant"}:
            raise Forbidden(
                msg("role", "只有窗口人员或申请人可以申请调解。", "Only the clerk or applicant.")
            )
        if "objections" not in STATE[case.state].tags:
            raise Conflict(msg("closed", "当前阶段不再处理异议。", "Objections are closed now."))
        o = _open_objection(case, objection_id)
        if any(m.concluded_at is None for m in o.mediations):
            raise Conflict(msg("referred", "该异议已在调解中。", "Already in mediation."))
        now = rt.clock()
        m = Mediation(
            case_id=case.id,
            objection_id=o.id,
            street=case.street,
            referred_by_id=user.id,
            referred_at=now,
        )
        s.add(m)
        s.flush()
        audit.append(
            s,
            kind="mediation_referred",
            at=now,
            actor=user,
            role="clerk" if "clerk" in roles else "applicant",
            case=case,
            payload={"mediation": m.id, "objection": o.id},
        )
        ids = []
        h = o.household
        if h is not None and h.phone:
            base = settings.public_base_url.rstrip("/")
            told = OutboxMessage(
                case_id=case.id,
                household_id=h.id,
                kind="mediation_referred",
                text=f"{outbox.SIGN}您对{case.reference}提出的异议已提交调解，调解员将与您联系；"
                f"查看或撤回异议：{base}/sign/{h.signing_token}",
                phone=h.phone,
                created_at=now,
                status="pending",
                attempts=0,
            )
            s.add(told)
            s.flush()
            ids.append(told.id)
        mid = m.id
    outbox.queued(rt, ids)
    return mid


def _mediator(s: Any, actor: User | int) -> User:
    user = actor_of(s, actor)
    if user.role != "mediator":
        raise Forbidden(msg("role", "只有调解员可以办理调解。", "Only mediators mediate."))
    return user


def _mediation_for(s: Any, user: User, mediation_id: int) -> Mediation:
    m = s.get(Mediation, mediation_id) if 0 < mediation_id < 2**31 else None
    if m is None or (user.street and m.street != user.street):
        raise NotFound(MEDIATION_NOT_FOUND)
    return m


def _concluded(m: Mediation) -> None:
    if m.concluded_at is not None:
        raise Conflict(msg("concluded", "该调解已经结束。", "This mediation has ended."))


def record_session(
    rt: Runtime,
    actor: User | int,
    mediation_id: int,
    *,
    held_on: Any,
    place: Any,
    attendees: Any,
    notes: Any,
) -> int:
    """The mediator records one session: when, where, who attended, what was proposed."""
    errors = []
    try:
        day = held_on if isinstance(held_on, date) else date.fromisoformat(str(held_on).strip())
    except ValueError:
        day = None
        errors.append(msg("held_on", "调解日期格式应为 YYYY-MM-DD。", "held_on: YYYY-MM-DD."))
    place = (place or "").strip() if isinstance(place, str) else ""
    if not place:
        errors.append(msg("place", "请填写调解地点。", "Give the place."))
    if isinstance(attendees, str):
        attendees = [a for a in attendees.replace("，", ",").replace("、", ",").split(",")]
    people = [str(a).strip()[:64] for a in attendees or () if str(a).strip()]
    if not people:
        errors.append(msg("attendees", "请填写参加人员。", "Name who attended."))
    notes = (notes or "").strip() if isinstance(notes, str) else ""
    if not notes:
        errors.append(msg("notes", "请填写调解情况。", "Say what was proposed."))
    if errors:
        raise InvalidInput(*errors)
    today = rt.clock().date()
    assert day is not None  # nosec B101  # errors above
    day = inputs.day(day, field="held_on", label="调解日期", today=today)
    with rt.db.transaction() as s:
        user = _mediator(s, actor)
        m = _mediation_for(s, user, mediation_id)
        _concluded(m)
        now = rt.clock()
        row = MediationSession(
            mediation_id=m.id,
            held_on=day,
            place=place[:200],
            attendees=people[:30],
            notes=notes[:4000],
            recorded_by_id=user.id,
            recorded_at=now,
        )
        s.add(row)
        s.flush()
        audit.append(
            s,
            kind="mediation_session",
            at=now,
            actor=user,
            role="mediator",
            case=m.case,
            payload={"mediation": m.id, "session": row.id, "held_on": day.isoformat()},
        )
        return row.id


def _settle(o: Objection, how: str, text: str, at: datetime, by: User | None) -> None:
    o.settled_by, o.resolution, o.resolved_at = how, text[:4000], at
    o.resolved_by_id = by.id if by else None


def record_outcome(
    rt: Runtime,
    actor: User | int,
    mediation_id: int,
    *,
    agreed: Any,
    opinion: Any = "",
    withdrawal: bytes | None = None,
) -> int:
    """The outcome: agreed (the objector withdrew, by link or on a signed paper uploaded here)
    or not agreed (the mediator's 调解意见). Issues the 调解意见书; returns its document id."""
    if not isinstance(agreed, bool):
        raise InvalidInput(msg("agreed", "请说明是否达成一致。", "agreed must be true or false."))
    opinion = (opinion or "").strip() if isinstance(opinion, str) else ""
    if not agreed and not opinion:
        raise InvalidInput(
            msg("opinion", "未达成一致的，请写明调解意见。", "Write the mediator's opinion.")
        )
    with rt.db.transaction() as s:
        user = _mediator(s, actor)
        m = _mediation_for(s, user, mediation_id)
        _concluded(m)
        o = m.objection
        case = m.case
        settings = current_settings(s, rt.settings)
        now = rt.clock()
        if agreed:
            if withdrawal:
                content_type, data = check_file(
                    withdrawal,
                    documents.PDF_OR_IMAGE,
                    settings.upload_max_bytes,
                    settings.upload_max_pages,
                )
                m.withdrawal_scan = rt.store.record(s, data, content_type, now)
                if o.resolved_at is None:
                    _settle(o, "withdrawal", WITHDRAWN + "（书面撤回，调解员上传）", now, user)
            if o.settled_by != "withdrawal":
                raise Conflict(
                    msg(
                        "not_withdrawn",
                        "达成一致须由异议人撤回异议：请异议人通过本户链接撤回，或上传其签字的书面撤回。",
                        "Agreement needs the objector's withdrawal: by its link or a signed paper.",
                    )
                )
        elif o.resolved_at is None:
            _settle(o, "mediation", f"经调解未达成一致。调解意见：{opinion}", now, user)
        m.agreed, m.opinion, m.mediator_id, m.concluded_at = agreed, opinion[:4000], user.id, now
        doc = _issue_record(rt, s, case, m, user, settings, now)
        audit.append(
            s,
            kind="mediation_outcome",
            at=now,
            actor=user,
            role="mediator",
            case=case,
            payload={"mediation": m.id, "objection": o.id, "agreed": agreed, "document": doc.id},
        )
        return doc.id


def mediation_facts(m: Mediation) -> dict[str, Any]:
    o = m.objection
    return {
        "id": m.id,
        "objection": {
            "household": o.household.room if o.household else "",
            "text": o.text,
            "lodged_at": o.lodged_at.strftime("%Y-%m-%d %H:%M"),
        },
        "referred_on": m.referred_at.date().isoformat(),
        "sessions": [
            {
                "held_on": x.held_on.isoformat(),
                "place": x.place,
                "attendees": list(x.attendees or ()),
                "notes": x.notes,
            }
            for x in m.sessions
        ],
        "agreed": m.agreed,
        "opinion": m.opinion or "",
        "withdrawn": o.settled_by == "withdrawal",
        "mediator": (m.mediator.name or m.mediator.username) if m.mediator else "",
        "street": m.street or "",
        "concluded_on": m.concluded_at.date().isoformat() if m.concluded_at else "",
    }


def _issue_record(
    rt: Runtime, s: Any, case: Case, m: Mediation, user: User, settings: Any, now: datetime
) -> Document:
    """The 调解意见书, frozen from the mediation and numbered with a verification code."""
    m.mediator = user
    data = documents.document_context(case, "mediation_record", settings, now.date().isoformat())
    data["mediation"] = mediation_facts(m)
    data["authority"] = settings.authority_name
    code = letters.unused_verify_code(s)
    data["verify_code"] = code
    data["verify_url"] = letters.verify_url(settings, code)
    sha = None
    if rt.renderer is not None:
        try:
            sha = rt.store.record(s, rt.renderer.document(data), "application/pdf", now)
        except Exception:  # noqa: BLE001 - rendered on first download instead
            log.exception("rendering the mediation record of mediation %s failed", m.id)
    doc = Document(
        case_id=case.id,
        kind="mediation_record",
        source="generated",
        sha256=sha,
        filename=f"{documents.KINDS['mediation_record'].label}.pdf",
        content_type="application/pdf",
        data=data,
        created_at=now,
        verify_code=code,
    )
    s.add(doc)
    s.flush()
    m.document_id = doc.id
    return doc


def withdraw_by_link(rt: Runtime, token: str, objection_id: int) -> None:
    """The objector withdraws its own objection through its household link."""
    with rt.db.transaction() as s:
        if not token or len(token) > 64:
            raise NotFound(msg("link", "签字链接无效。", "This signing link is not valid."))
        h = s.scalar(select(Household).where(Household.signing_token == token))
        o = s.get(Objection, objection_id) if h is not None and 0 < objection_id < 2**31 else None
        if h is None or o is None or o.household_id != h.id:
            raise NotFound(msg("objection", "未找到该异议。", "No such objection."))
        if o.resolved_at is not None:
            raise Conflict(msg("resolved", "该异议已经处理完毕。", "The objection is settled."))
        now = rt.clock()
        _settle(o, "withdrawal", WITHDRAWN, now, None)
        audit.append(
            s,
            kind="objection_withdrawn",
            at=now,
            actor=None,
            role="owner",
            case=h.case,
            payload={"objection": o.id, "room": h.room},
        )


def _row(m: Mediation) -> dict[str, Any]:
    c = m.case
    o = m.objection
    return {
        "id": m.id,
        "case": c.id,
        "reference": c.reference,
        "place": f"{c.community}{c.building}{c.unit}",
        "street": m.street or "",
        "room": o.household.room if o.household else "",
        "objection_text": o.text,
        "objection_id": o.id,
        "referred_at": m.referred_at.isoformat(timespec="minutes"),
        "sessions": len(m.sessions),
        "open": m.concluded_at is None,
        "withdrawn": o.settled_by == "withdrawal",
        "agreed": m.agreed,
        "document_id": m.document_id,
    }


def mediation_queue(rt: Runtime, actor: User | int) -> list[dict[str, Any]]:
    """The mediator's referrals (of its 街道, if it has one), open ones first."""
    with rt.db.session() as s:
        user = _mediator(s, actor)
        q = select(Mediation).order_by(Mediation.concluded_at.is_not(None), Mediation.id.desc())
        if user.street:
            q = q.where(Mediation.street == user.street)
        return [_row(m) for m in s.scalars(q.limit(200))]


def mediation_view(rt: Runtime, actor: User | int, mediation_id: int) -> dict[str, Any]:
    with rt.db.session() as s:
        user = _mediator(s, actor)
        m = _mediation_for(s, user, mediation_id)
        return {**_row(m), **mediation_facts(m)}
