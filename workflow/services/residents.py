"""The residents watch the work and accept it (居民监督、居民不满意不验收).

The unit's representatives are named by the applicant and accept through their household's own
link (or on paper at the window); any household reports problems with the work through its link,
the applicant answers, the reporter or a representative closes them; when completion is reported
every household gives its opinion. These are recorded facts, each with its audit event; the
machine's guards on `start_construction` and `confirm_completion` read them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..data import audit, privacy
from ..data.config import current_settings
from ..data.models import (
    AcceptanceOpinion,
    Case,
    Household,
    Problem,
    ProblemReply,
    Supervisor,
    User,
)
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, Message, NotFound, UnsupportedFile, msg
from ..notify import outbox
from ..papers.documents import OPINIONS
from ..process.access import actor_of, case_for
from ..process.guards import supervisors_needed
from ..process.states import STATE
from ..read.residents import problem_json, supervisors_json
from .consent import _clerk_on, _household, _household_by_token
from .files import check_file

MAX_PHOTOS = 6
DISPLAY_PX = 1280  # the long side of a photo as pages show it (a phone's is 4000 or more)
IMAGES = ("image/jpeg", "image/png")
TEXT_MAX = 2000

_NO_SUPERVISION = msg(
    "closed",
    "当前阶段不能指定居民监督代表。",
    "Residents' representatives are not named at this stage.",
)
_NO_PROBLEMS = msg(
    "closed",
    "施工开始后、竣工确认前才能反映施工问题。",
    "Problems are reported between the start of construction and the confirmed completion.",
)
_NO_ACCEPTANCE = msg(
    "closed",
    "居民验收尚未开始或已经结束。",
    "The residents' acceptance is not open.",
)


def _text(value: Any, field: str, label: str, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(msg(field, f"{label}应为文字。", f"{field} must be text."))
    value = value.strip()
    if required and not value:
        raise InvalidInput(msg(field, f"请填写{label}。", f"{field} is required."))
    return value[:TEXT_MAX]


def _in_tag(case: Case, tag: str, closed: Message) -> None:
    if tag not in STATE[case.state].tags:
        raise Conflict(closed)


def _applicant(s: Any, actor: User | int, case_id: int) -> tuple[User, Case]:
    user = actor_of(s, actor)
    case = case_for(s, user, case_id)
    if case.applicant_id != user.id:
        raise Forbidden(
            msg("role", "只有申请人（或代办人）可以办理。", "Only the applicant (or agent) may.")
        )
    return user, case


def _photos(rt: Runtime, s: Any, photos: list[bytes] | None, now: Any) -> list[dict[str, str]]:
    """Up to six pictures, checked by content like every upload, kept as sent (re-encoded)
    and shrunk for display."""
    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            msg("photos", f"最多上传 {MAX_PHOTOS} 张照片。", f"At most {MAX_PHOTOS} photos.")
        )
    settings = current_settings(s, rt.settings)
    out = []
    for raw in photos:
        kind, data = check_file(raw, IMAGES, settings.upload_max_bytes)
        sha = rt.store.record(s, data, kind, now)
        small = shrink(data)
        out.append({"sha256": sha, "display": rt.store.record(s, small, "image/jpeg", now)})
    return out


def shrink(data: bytes) -> bytes:
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            img.thumbnail((DISPLAY_PX, DISPLAY_PX))
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=80)
            return out.getvalue()
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on broken files
        raise UnsupportedFile(
            msg("image_broken", "图片已损坏或无法打开。", "The picture is damaged.")
        ) from exc


# — representatives ————————————————————————————————————————————————————————————————


def name_supervisors(
    rt: Runtime, actor: User | int, case_id: int, rooms: list[str], reason: str | None = None
) -> None:
    """The applicant names the unit's representatives: `rooms` becomes the whole list. Those
    left out step down (with `reason`, kept in the audit log); new ones are asked by SMS."""
    if not isinstance(rooms, list) or not all(isinstance(r, str) for r in rooms):
        raise InvalidInput(msg("rooms", "请列出代表的室号。", "List the representatives' rooms."))
    rooms = [r.strip() for r in rooms if r.strip()]
    reason = _text(reason, "reason", "更换原因", required=False)
    with rt.db.transaction() as s:
        user, case = _applicant(s, actor, case_id)
        _in_tag(case, "supervision", _NO_SUPERVISION)
        settings = current_settings(s, rt.settings)
        need, most = supervisors_needed(case, settings), settings.supervisors_max
        problems = []
        if len(set(rooms)) != len(rooms):
            problems.append(msg("rooms", "室号有重复。", "A room is listed twice."))
        if not need <= len(set(rooms)) <= most:
            problems.append(
                msg(
                    "rooms",
                    f"居民监督代表应为 {need} 至 {most} 户（现为 {len(set(rooms))} 户）。",
                    f"Name {need} to {most} representatives (now {len(set(rooms))}).",
                )
            )
        households = []
        for room in dict.fromkeys(rooms):
            try:
                households.append(_household(case, room))
            except InvalidInput as exc:
                problems.extend(exc.messages)
        if problems:
            raise InvalidInput(*problems)
        now = rt.clock()
        active = {x.household_id: x for x in case.supervisors if x.active}
        wanted = {h.id for h in households}
        left = [x for hid, x in active.items() if hid not in wanted]
        if left and any(x.accepted_at for x in left) and not reason:
            raise InvalidInput(
                msg(
                    "reason",
                    "更换已接受的代表，请填写原因（如本人请辞）。",
                    "Give the reason for replacing a representative who had accepted.",
                )
            )
        for x in left:
            x.stepped_down_at, x.stepped_down_reason = now, reason or "申请人更换"
        added, messages = [], []
        for h in households:
            if h.id in active:
                continue
            x = Supervisor(
                case_id=case.id, household_id=h.id, proposed_at=now, proposed_by_id=user.id
            )
            s.add(x)
            case.supervisors.append(x)
            added.append(h)
            messages.append(outbox.supervisor_proposed(s, case, h, settings, now))
        audit.append(
            s,
            kind="supervisors_named",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            payload={
                "rooms": [h.room for h in households],
                "added": [h.room for h in added],
                "stepped_down": [x.household.room for x in left],
                "reason": reason,
            },
        )
        s.flush()
        ids = [m.id for m in messages if m is not None and m.status == "pending"]
    outbox.queued(rt, ids)


def _supervisor_of(case: Case, h: Household) -> Supervisor | None:
    return next((x for x in case.supervisors if x.active and x.household_id == h.id), None)


def accept_supervisor_role(rt: Runtime, token: str, accept: bool) -> None:
    """The household answers through its own link: accepts the role, or declines it."""
    if not isinstance(accept, bool):
        raise InvalidInput(msg("accept", "请选择接受或谢绝。", "Choose to accept or decline."))
    with rt.db.transaction() as s:
        h = _household_by_token(s, token)
        case = h.case
        _in_tag(case, "supervision", _NO_SUPERVISION)
        x = _supervisor_of(case, h)
        if x is None:
            raise NotFound(
                msg("supervisor", "本户未被推荐为居民监督代表。", "This household was not named.")
            )
        now = rt.clock()
        if accept:
            if x.accepted_at is not None:
                return
            x.accepted_at, x.accepted_channel = now, "link"
        else:
            x.stepped_down_at, x.stepped_down_reason = now, "本户谢绝担任"
        audit.append(
            s,
            kind="supervisor_accepted" if accept else "supervisor_declined",
            at=now,
            actor=None,
            role="owner",
            case=case,
            payload={"room": h.room, "channel": "link"},
        )


def record_paper_supervisor(rt: Runtime, actor: User | int, case_id: int, room: str) -> None:
    """A clerk records a representative's acceptance signed on paper."""
    with rt.db.transaction() as s:
        user, case = _clerk_on(s, actor, case_id, "supervision", _NO_SUPERVISION)
        h = _household(case, room)
        x = _supervisor_of(case, h)
        if x is None:
            raise InvalidInput(
                msg("supervisor", f"{h.room} 室未被推荐为居民监督代表。", "Not a representative.")
            )
        if x.accepted_at is not None:
            raise Conflict(msg("accepted", f"{h.room} 室已经接受。", "Already accepted."))
        now = rt.clock()
        x.accepted_at, x.accepted_channel, x.accepted_recorded_by_id = now, "paper", user.id
        audit.append(
            s,
            kind="supervisor_accepted",
            at=now,
            actor=user,
            role="clerk",
            case=case,
            payload={"room": h.room, "channel": "paper"},
        )


# — problems ———————————————————————————————————————————————————————————————————————


def report_problem(rt: Runtime, token: str, text: str, photos: list[bytes] | None = None) -> int:
    """Any household of the unit reports a problem with the work; the applicant hears by SMS."""
    text = _text(text, "text", "问题描述")
    with rt.db.transaction() as s:
        h = _household_by_token(s, token)
        case = h.case
        _in_tag(case, "problems", _NO_PROBLEMS)
        now = rt.clock()
        p = Problem(
            case_id=case.id,
            household_id=h.id,
            text=text,
            photos=_photos(rt, s, photos, now),
            reported_at=now,
        )
        s.add(p)
        s.flush()
        m = outbox.problem_reported(s, case, h.room, now)
        audit.append(
            s,
            kind="problem_reported",
            at=now,
            actor=None,
            role="owner",
            case=case,
            payload={
                "problem": p.id,
                "room": h.room,
                "text": text,
                "photos": [x["sha256"] for x in p.photos],
            },
        )
        s.flush()
        pid, ids = p.id, [m.id] if m.status == "pending" else []
    outbox.queued(rt, ids)
    return pid


def _problem(case: Case, problem_id: int) -> Problem:
    p = next((p for p in case.problems if p.id == problem_id), None)
    if p is None:
        raise NotFound(msg("problem", "未找到该问题。", "No such problem."))
    return p


def _open(p: Problem) -> None:
    if p.closed_at is not None:
        raise Conflict(msg("closed", "该问题已经关闭。", "This problem is closed."))


def answer_problem(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    problem_id: int,
    text: str,
    photos: list[bytes] | None = None,
) -> None:
    """The applicant (or agent) says what was done; the reporter hears by SMS."""
    text = _text(text, "text", "答复")
    with rt.db.transaction() as s:
        user, case = _applicant(s, actor, case_id)
        p = _problem(case, problem_id)
        _open(p)
        now = rt.clock()
        r = ProblemReply(
            problem_id=p.id,
            kind="answer",
            text=text,
            photos=_photos(rt, s, photos, now),
            user_id=user.id,
            at=now,
        )
        s.add(r)
        p.replies.append(r)
        settings = current_settings(s, rt.settings)
        m = outbox.problem_answered(s, case, p.household, settings, now)
        audit.append(
            s,
            kind="problem_answered",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            payload={"problem": p.id, "text": text},
        )
        s.flush()
        ids = [m.id] if m is not None and m.status == "pending" else []
    outbox.queued(rt, ids)


def close_problem(
    rt: Runtime, token: str, problem_id: int, solved: bool, reason: str | None = None
) -> None:
    """The reporter or a representative closes a problem as solved, or keeps it open with a
    reason."""
    if not isinstance(solved, bool):
        raise InvalidInput(msg("solved", "请选择已解决或未解决。", "Say whether it is solved."))
    reason = _text(reason, "reason", "理由", required=not solved)
    with rt.db.transaction() as s:
        h = _household_by_token(s, token)
        case = h.case
        p = _problem(case, problem_id)
        if p.household_id != h.id and _supervisor_of(case, h) is None:
            raise Forbidden(
                msg(
                    "role",
                    "只有反映问题的住户或居民监督代表可以关闭问题。",
                    "Only the reporter or a representative closes a problem.",
                )
            )
        _open(p)
        now = rt.clock()
        kind = "solved" if solved else "kept_open"
        r = ProblemReply(problem_id=p.id, kind=kind, text=reason, household_id=h.id, at=now)
        s.add(r)
        p.replies.append(r)
        if solved:
            p.closed_at, p.closed_by_household_id, p.close_reason = now, h.id, reason
        audit.append(
            s,
            kind="problem_closed" if solved else "problem_kept_open",
            at=now,
            actor=None,
            role="owner",
            case=case,
            payload={"problem": p.id, "room": h.room, "reason": reason},
        )


# — the residents' acceptance —————————————————————————————————————————————————————


def give_opinion(rt: Runtime, token: str, opinion: str, reason: str | None = None) -> None:
    """A household's opinion of the finished work; it may change it until completion is
    confirmed (each change is in the audit log). 不满意 needs a reason."""
    if opinion not in OPINIONS:
        raise InvalidInput(msg("opinion", "请选择满意、基本满意或不满意。", "Choose an opinion."))
    reason = _text(reason, "reason", "不满意的理由", required=opinion == "dissatisfied")
    with rt.db.transaction() as s:
        h = _household_by_token(s, token)
        case = h.case
        _in_tag(case, "resident_acceptance", _NO_ACCEPTANCE)
        now = rt.clock()
        o = s.scalar(
            select(AcceptanceOpinion).where(
                AcceptanceOpinion.case_id == case.id,
                AcceptanceOpinion.acceptance_round == case.acceptance_round,
                AcceptanceOpinion.household_id == h.id,
            )
        )
        before = o.opinion if o else None
        if o is None:
            o = AcceptanceOpinion(
                case_id=case.id,
                acceptance_round=case.acceptance_round,
                household_id=h.id,
                opinion=opinion,
                reason=reason,
                given_at=now,
            )
            s.add(o)
        else:
            o.opinion, o.reason, o.given_at = opinion, reason, now
            o.answer = o.answered_at = o.answered_by_id = None  # a new opinion awaits a new answer
        audit.append(
            s,
            kind="acceptance_opinion",
            at=now,
            actor=None,
            role="owner",
            case=case,
            payload={
                "room": h.room,
                "round": case.acceptance_round,
                "opinion": opinion,
                "reason": reason,
                "before": before,
            },
        )


def answer_opinion(rt: Runtime, actor: User | int, case_id: int, room: str, text: str) -> None:
    """The applicant answers a household's 不满意 (what was or will be done)."""
    text = _text(text, "text", "答复")
    with rt.db.transaction() as s:
        user, case = _applicant(s, actor, case_id)
        _in_tag(case, "resident_acceptance", _NO_ACCEPTANCE)
        h = _household(case, room)
        o = next(
            (
                o
                for o in case.acceptance_opinions
                if o.household_id == h.id and o.acceptance_round == case.acceptance_round
            ),
            None,
        )
        if o is None or o.opinion != "dissatisfied":
            raise Conflict(
                msg("opinion", f"{h.room} 室没有待答复的不满意意见。", "Nothing to answer.")
            )
        now = rt.clock()
        o.answer, o.answered_at, o.answered_by_id = text, now, user.id
        audit.append(
            s,
            kind="acceptance_answered",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            payload={"room": h.room, "round": case.acceptance_round, "text": text},
        )


# — reading ————————————————————————————————————————————————————————————————————————


def problems(rt: Runtime, actor: User | int, case_id: int) -> list[dict[str, Any]]:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        return [problem_json(p) for p in case.problems]


@dataclass(frozen=True)
class ResidentView:
    """What a household's link shows of the residents' part, beyond its signing."""

    token: str
    room: str
    supervision_open: bool
    representative: str | None  # None, proposed, accepted
    problems_open: bool
    acceptance_open: bool
    opinion: str | None
    reason: str
    answer: str | None
    supervisors: tuple[dict[str, Any], ...]
    problems: tuple[dict[str, Any], ...]
    may_close: frozenset[int]


def resident_view(rt: Runtime, token: str) -> ResidentView:
    with rt.db.session() as s:
        h = _household_by_token(s, token)
        case = h.case
        tags = STATE[case.state].tags
        x = _supervisor_of(case, h)
        o = next(
            (
                o
                for o in case.acceptance_opinions
                if o.household_id == h.id and o.acceptance_round == case.acceptance_round
            ),
            None,
        )
        return ResidentView(
            token=token,
            room=h.room,
            supervision_open="supervision" in tags,
            representative=None if x is None else ("accepted" if x.accepted_at else "proposed"),
            problems_open="problems" in tags,
            acceptance_open="resident_acceptance" in tags,
            opinion=o.opinion if o else None,
            reason=o.reason if o else "",
            answer=o.answer if o else None,
            supervisors=supervisors_json(case),
            problems=tuple(problem_json(p) for p in case.problems),
            may_close=frozenset(
                p.id
                for p in case.problems
                if p.closed_at is None and (p.household_id == h.id or x is not None)
            ),
        )


def photo(
    rt: Runtime,
    problem_id: int,
    n: int,
    *,
    actor: User | int | None = None,
    token: str = "",
    reason: str = "",
) -> bytes:
    """A problem's photo (the reporter's, then the answers'), for the case's applicant, staff,
    and the unit's households through their links. A photo may show a resident or their home:
    a staff member's view is recorded with its reason (个人信息保护法第二十八条) before it is
    shown."""
    with rt.db.transaction() as s:
        p = s.get(Problem, problem_id)
        if p is None:
            raise NotFound(msg("photo", "未找到该照片。", "No such photo."))
        if token:
            h = _household_by_token(s, token)
            if h.case_id != p.case_id:
                raise NotFound(msg("photo", "未找到该照片。", "No such photo."))
        else:
            user = actor_of(s, actor)
            case = case_for(s, user, p.case_id)
            if case.applicant_id != user.id and not user.is_staff:
                raise NotFound(msg("photo", "未找到该照片。", "No such photo."))
        every = list(p.photos or []) + [x for r in p.replies for x in (r.photos or [])]
        if not 1 <= n <= len(every):
            raise NotFound(msg("photo", "未找到该照片。", "No such photo."))
        sha = every[n - 1]["display"]
        if not token and user.is_staff:
            privacy.record_view(
                s, user, case, ["problem_photo"], reason, rt.clock(), problem=p.id, photo=n
            )
    return rt.store.read(sha)  # JPEG, shrunk for display


def problem_case(rt: Runtime, problem_id: int) -> int | None:
    with rt.db.session() as s:
        p = s.get(Problem, problem_id)
        return p.case_id if p is not None else None
