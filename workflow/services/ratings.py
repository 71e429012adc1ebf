"""好差评 (国办发〔2019〕51号): the applicant rates each act that concluded a step for them; a bad
rating is rectified by the desk that acted, within working days, and answered (回访).

Which acts may be rated is the machine's declaration (`Transition.rateable`); the act is named by
its `seq` in the case's audit chain, as `GET /api/v1/cases/{id}/history` shows it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..data import audit
from ..data.config import calendar, current_settings
from ..data.models import Case, Event, OutboxMessage, Rating, User
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, msg
from ..notify import outbox
from ..process.access import actor_of, case_for
from ..process.machine import TRANSITION, rateable_triggers
from ..rules.ratings import BAD, LEVELS, desk_label

__all__ = ["LEVELS", "rate", "rate_answer", "rectify", "ratings_of", "rectification_queue"]

WINDOW = "window"


def _level(value: Any, field: str = "level") -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or str(value).strip() not in {str(k) for k in LEVELS}
    ):
        raise InvalidInput(msg(field, "评价等级应为 1 到 5。", "The level must be 1 to 5."))
    return int(str(value).strip())


def _comment(value: Any, level: int) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(msg("comment", "评价意见应为文字。", "The comment must be text."))
    text = (value or "").strip()[:2000]
    if level <= BAD and not text:
        raise InvalidInput(
            msg(
                "comment",
                "不满意或非常不满意的评价请写明原因。",
                "Say why when you are dissatisfied.",
            )
        )
    return text


def _desk_of(s: Any, event: Event) -> str:
    """The desk that acted: the window for a clerk's act, else the approver's department."""
    if "clerk" in (event.actor_role or "").split(","):
        return WINDOW
    user = s.get(User, event.actor_id) if event.actor_id else None
    return (user.department if user is not None and user.department else None) or WINDOW


def _the_applicant(user: User, case: Case) -> None:
    if case.applicant_id != user.id:
        raise Forbidden(
            msg("role", "只有申请人（或代办人）可以评价。", "Only the applicant (or agent) rates.")
        )


def rateable_acts(s: Any, case: Case) -> list[Event]:
    return list(
        s.scalars(
            select(Event)
            .where(Event.chain == f"case:{case.id}", Event.kind.in_(rateable_triggers()))
            .order_by(Event.seq)
        )
    )


def rate(
    rt: Runtime, actor: User | int, case_id: int, act: Any, level: Any, comment: Any = ""
) -> int:
    """The applicant rates one act, once. Level ≤ 2 needs a comment and opens a rectification
    for the desk that acted, due in `rating_rectify_workdays` working days."""
    level = _level(level)
    text = _comment(comment, level)
    if isinstance(act, bool) or not isinstance(act, int):
        raise InvalidInput(msg("act", "请指明评价的办理事项。", "Name the act to rate."))
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        _the_applicant(user, case)
        event = s.scalar(select(Event).where(Event.chain == f"case:{case.id}", Event.seq == act))
        if event is None or event.kind not in rateable_triggers():
            raise NotFound(msg("act", "没有可评价的该办理事项。", "No such act to rate."))
        taken = s.scalar(
            select(Rating.id).where(
                Rating.case_id == case.id, Rating.act == act, Rating.rater_id == user.id
            )
        )
        if taken is not None:
            raise Conflict(msg("rated", "您已评价过这一事项。", "You have already rated this act."))
        now = rt.clock()
        settings = current_settings(s, rt.settings)
        desk = _desk_of(s, event)
        due = None
        if level <= BAD:
            due = calendar(s).add_workdays(now.date(), settings.rating_rectify_workdays).due
        rating = Rating(
            case_id=case.id,
            act=act,
            trigger=event.kind,
            desk=desk,
            rater_id=user.id,
            level=level,
            comment=text,
            rated_at=now,
            rectify_due=due,
        )
        s.add(rating)
        try:
            s.flush()
        except IntegrityError as exc:  # the same person rating twice at the same moment
            raise Conflict(msg("rated", "您已评价过这一事项。", "Already rated.")) from exc
        audit.append(
            s,
            kind="rating",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            payload={"rating": rating.id, "act": act, "level": level, "desk": desk},
        )
        if due is not None:
            s.add(
                OutboxMessage(
                    case_id=case.id,
                    desk="clerk" if desk == WINDOW else "approver",
                    kind="rating",
                    text=f"{outbox.SIGN}案件{case.reference}收到差评（{desk_label(desk, settings)}），"
                    f"请于{due.isoformat()}前整改并答复。",
                    created_at=now,
                    status="none",
                    attempts=0,
                )
            )
        return rating.id


def _staff_of(user: User, desk: str) -> bool:
    if desk == WINDOW:
        return user.role == "clerk"
    return user.role == "approver" and user.department == desk


def rectify(rt: Runtime, actor: User | int, rating_id: int, text: Any) -> None:
    """The desk that acted records what it did about a bad rating; the rater is asked again."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(msg("rectification", "请写明整改情况。", "Say what was done."))
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        rating = s.get(Rating, rating_id) if 0 < rating_id < 2**31 else None
        if rating is None or rating.rectify_due is None or not _staff_of(user, rating.desk):
            raise NotFound(msg("rating", "未找到该整改事项。", "No such rectification."))
        if rating.rectified_at is not None:
            raise Conflict(msg("rectified", "该差评已整改答复。", "Already answered."))
        now = rt.clock()
        rating.rectification, rating.rectified_at = text.strip()[:4000], now
        rating.rectified_by_id = user.id
        case = s.get(Case, rating.case_id)
        audit.append(
            s,
            kind="rating_rectified",
            at=now,
            actor=user,
            role=user.role,
            case=case,
            payload={"rating": rating.id, "act": rating.act},
        )
        base = current_settings(s, rt.settings).public_base_url.rstrip("/")
        rater = s.get(User, rating.rater_id)
        message = OutboxMessage(
            case_id=case.id,
            user_id=rating.rater_id,
            kind="rating_answer",
            text=f"{outbox.SIGN}您对{case.reference}的评价已整改答复，请查看并评价："
            f"{base}/my/cases/{case.id}/ratings/{rating.act}",
            phone=rater.phone if rater else None,
            created_at=now,
            status="pending" if rater and rater.phone else "none",
            attempts=0,
        )
        s.add(message)
        s.flush()
        ids = [message.id] if message.status == "pending" else []
    outbox.queued(rt, ids)


def rate_answer(
    rt: Runtime, actor: User | int, case_id: int, act: int, level: Any, comment: Any = ""
) -> None:
    """回访: the rater rates the desk's answer to a bad rating, once."""
    level = _level(level)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        rating = s.scalar(
            select(Rating).where(
                Rating.case_id == case.id, Rating.act == act, Rating.rater_id == user.id
            )
        )
        if rating is None or rating.rectified_at is None:
            raise NotFound(msg("rating", "没有待回访的整改答复。", "No answer to rate."))
        if rating.followup_at is not None:
            raise Conflict(msg("rated", "您已评价过这一答复。", "You have already rated it."))
        now = rt.clock()
        rating.followup_level, rating.followup_at = level, now
        rating.followup_comment = (comment or "").strip()[:2000] if isinstance(comment, str) else ""
        audit.append(
            s,
            kind="rating_followup",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            payload={"rating": rating.id, "act": act, "level": level},
        )


def _rating_json(r: Rating, today: date) -> dict[str, Any]:
    return {
        "id": r.id,
        "act": r.act,
        "trigger": r.trigger,
        "desk": r.desk,
        "level": r.level,
        "label": LEVELS[r.level],
        "comment": r.comment,
        "rated_at": r.rated_at.isoformat(timespec="minutes"),
        "rectify_due": r.rectify_due.isoformat() if r.rectify_due else None,
        "late": bool(r.rectify_due and r.rectified_at is None and today > r.rectify_due),
        "rectification": r.rectification,
        "rectified_at": r.rectified_at.isoformat(timespec="minutes") if r.rectified_at else None,
        "followup_level": r.followup_level,
        "followup_comment": r.followup_comment,
    }


def ratings_of(rt: Runtime, actor: User | int, case_id: int) -> dict[str, Any]:
    """The case's rateable acts and the ratings given; the applicant sees what is left to rate."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        settings = current_settings(s, rt.settings)
        today = rt.clock().date()
        rows = s.scalars(select(Rating).where(Rating.case_id == case.id).order_by(Rating.id)).all()
        given = {r.act: r for r in rows if r.rater_id == user.id}
        acts = []
        for e in rateable_acts(s, case):
            mine = given.get(e.seq)
            desk = _desk_of(s, e)
            acts.append(
                {
                    "act": e.seq,
                    "trigger": e.kind,
                    "label": TRANSITION[e.kind].label,
                    "at": e.at.isoformat(timespec="minutes"),
                    "desk": desk,
                    "desk_label": desk_label(desk, settings),
                    "rated": mine is not None,
                    "may_rate": case.applicant_id == user.id and mine is None,
                    "may_rate_answer": bool(
                        mine and mine.rectified_at is not None and mine.followup_at is None
                    ),
                    "rating": _rating_json(mine, today) if mine else None,
                }
            )
        return {"acts": acts, "ratings": [_rating_json(r, today) for r in rows]}


def rectification_queue(rt: Runtime, actor: User | int) -> list[dict[str, Any]]:
    """The bad ratings the actor's desk has to rectify, late ones first."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        if user.role == "clerk":
            desk = WINDOW
        elif user.role == "approver" and user.department:
            desk = user.department
        else:
            raise Forbidden(msg("role", "您的角色无权进行此操作。", "Your role may not do this."))
        today = rt.clock().date()
        rows = s.execute(
            select(Rating, Case.reference)
            .join(Case, Case.id == Rating.case_id)
            .where(
                Rating.desk == desk, Rating.rectify_due.is_not(None), Rating.rectified_at.is_(None)
            )
            .order_by(Rating.rectify_due, Rating.id)
        ).all()
        out = [{**_rating_json(r, today), "case": r.case_id, "reference": ref} for r, ref in rows]
        return sorted(out, key=lambda r: not r["late"])
