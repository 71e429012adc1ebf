"""Personal information (个人信息保护法): the notice and its versions, each person's data and
their requests to correct or delete it, and the log of staff views of unmasked data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import inputs
from ..data import audit, privacy
from ..data.config import calendar, current_settings
from ..data.models import Case, Event, Household, PrivacyRequest, User
from ..data.runtime import Runtime
from ..errors import Conflict, InvalidInput, NotFound, msg
from ..process.access import actor_of, require_role
from ..read import personal
from .consent import _household_by_token

NOTICE_MAX = 20_000
REQUEST_MAX = 2000


# — the notice ——————————————————————————————————————————————————————————————————


def notice(rt: Runtime, version: int | None = None) -> privacy.Notice:
    """The current notice, or one version of it (NotFound for a version never published)."""
    with rt.db.session() as s:
        settings = current_settings(s, rt.settings)
        if version is None:
            return privacy.current_notice(s, settings)
        found = privacy.notice_version(s, settings, version)
    if found is None:
        raise NotFound(msg("notice", "没有这一版本。", "No such version of the notice."))
    return found


def notice_versions(rt: Runtime) -> list[dict[str, Any]]:
    """Every version, newest first; version 1 is the default written from the settings."""
    with rt.db.session() as s:
        rows = [
            {"version": r.version, "published_at": r.published_at.strftime("%Y-%m-%d %H:%M")}
            for r in privacy.versions(s)
        ]
    return [*rows, {"version": 1, "published_at": None}]


def publish_notice(rt: Runtime, actor: User | int, text: str) -> int:
    """The admin publishes a new version of the notice; earlier versions stay as they were."""
    text = inputs.text(text or "", field="text", label="处理规则", max_length=NOTICE_MAX).strip()
    if not text:
        raise InvalidInput(msg("text", "请填写处理规则的全文。", "Write the notice's text."))
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        now = rt.clock()
        version = privacy.publish(s, text.replace("\r\n", "\n"), admin, now)
        audit.append(
            s,
            kind="privacy_notice_published",
            at=now,
            actor=admin,
            role="admin",
            payload={"version": version, "characters": len(text)},
        )
        return version


# — each person's data and requests ————————————————————————————————————————————————


def my_data(rt: Runtime, actor: User | int) -> dict[str, Any]:
    """Everything held about the signed-in person (only theirs)."""
    with rt.db.session() as s:
        settings = current_settings(s, rt.settings)
        return personal.account_data(s, actor_of(s, actor), rt.clock(), settings)


def household_data(rt: Runtime, token: str) -> dict[str, Any]:
    """Everything held about the household whose signing link this is."""
    with rt.db.session() as s:
        return personal.household_data(s, _household_by_token(s, token), rt.clock())


def _request_fields(kind: str, text: str) -> tuple[str, str]:
    problems = []
    if kind not in personal.REQUEST_KINDS:
        problems.append(msg("kind", "请选择更正或删除。", "Choose correct or delete."))
    text = inputs.text(text or "", field="text", label="申请内容", max_length=REQUEST_MAX)
    if not text.strip():
        problems.append(
            msg("text", "请写明要更正或删除的信息。", "Say which data to correct or delete.")
        )
    if problems:
        raise InvalidInput(*problems)
    return kind, text.strip()


def make_request(
    rt: Runtime, actor: User | int | None, kind: str, text: str, *, token: str | None = None
) -> dict[str, Any]:
    """A request to correct or delete, by the signed-in person or through a household's link;
    it goes to the clerks' queue, due in `PRIVACY_REQUEST_WORKDAYS` working days."""
    kind, text = _request_fields(kind, text)
    with rt.db.transaction() as s:
        user = actor_of(s, actor) if token is None else None
        household = _household_by_token(s, token) if token is not None else None
        settings = current_settings(s, rt.settings)
        now = rt.clock()
        due = calendar(s).add_workdays(now.date(), settings.privacy_request_workdays).due
        row = PrivacyRequest(
            user_id=user.id if user else None,
            household_id=household.id if household else None,
            kind=kind,
            text=text,
            made_at=now,
            due=due,
            state="open",
        )
        s.add(row)
        s.flush()
        # The request itself is on the record; its text is the person's, not the log's.
        audit.append(
            s,
            kind="privacy_request",
            at=now,
            actor=user,
            role="homeowner" if user else "owner",
            case=household.case if household else None,
            payload={"request": row.id, "kind": kind, "due": due.isoformat()},
        )
        return personal.request_row(row)


def _who(s: Any, r: PrivacyRequest) -> dict[str, Any]:
    if r.user_id is not None:
        u = s.get(User, r.user_id)
        return {"who": u.name or u.username, "where": "账户 " + u.username}
    h = r.household_id and s.get(Household, r.household_id)
    if not h:
        return {"who": "", "where": ""}
    return {"who": h.owner_name, "where": f"{h.case.reference} {h.room} 室"}


def privacy_requests(rt: Runtime, actor: User | int, open_only: bool = True) -> list[dict]:
    """The clerks' queue of requests, the oldest due first."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "clerk")
        q = select(PrivacyRequest).order_by(PrivacyRequest.due, PrivacyRequest.id)
        if open_only:
            q = q.where(PrivacyRequest.state == "open")
        today = rt.clock().date()
        return [
            {
                **personal.request_row(r),
                **_who(s, r),
                "overdue": r.state == "open" and r.due < today,
            }
            for r in s.scalars(q)
        ]


def answer_request(
    rt: Runtime,
    actor: User | int,
    request_id: int,
    *,
    outcome: str,
    answer: str,
    legal_reason: str | None = None,
) -> dict[str, Any]:
    """The clerk answers in writing: done, or refused with its legal reason (第四十七条)."""
    answer = inputs.text(answer or "", field="answer", label="书面答复", max_length=REQUEST_MAX)
    problems = []
    if outcome not in ("done", "refused"):
        problems.append(msg("outcome", "请选择办理结果。", "Choose the outcome."))
    if not answer.strip():
        problems.append(msg("answer", "请填写书面答复。", "Write the answer."))
    if outcome == "refused" and legal_reason not in personal.LEGAL_REASONS:
        problems.append(
            msg("legal_reason", "不予办理须写明法律依据。", "A refusal names its legal reason.")
        )
    if problems:
        raise InvalidInput(*problems)
    with rt.db.transaction() as s:
        clerk = actor_of(s, actor)
        require_role(clerk, "clerk")
        r = s.get(PrivacyRequest, request_id)
        if r is None:
            raise NotFound(msg("request", "没有这项申请。", "No such request."))
        if r.state != "open":
            raise Conflict(msg("answered", "这项申请已经答复。", "Already answered."))
        now = rt.clock()
        r.state, r.answer, r.answered_at, r.answered_by_id = outcome, answer.strip(), now, clerk.id
        r.legal_reason = legal_reason if outcome == "refused" else None
        audit.append(
            s,
            kind="privacy_request_answered",
            at=now,
            actor=clerk,
            role="clerk",
            case=s.get(Household, r.household_id).case if r.household_id else None,
            payload={"request": r.id, "outcome": outcome, "legal_reason": r.legal_reason},
        )
        return personal.request_row(r)


# — staff views of unmasked data ——————————————————————————————————————————————————


def access_log(rt: Runtime, actor: User | int, limit: int = 500) -> list[dict[str, Any]]:
    """Every staff view of unmasked personal data: who, when, which case, why (admins)."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "admin")
        rows = s.execute(
            select(Event, Case.reference)
            .join(Case, Case.id == Event.case_id)
            .where(Event.kind == personal.VIEWED)
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(limit)
        )
        return [
            {
                "at": e.at.strftime("%Y-%m-%d %H:%M"),
                "who": e.actor_name,
                "desk": personal.DESKS.get(e.actor_role, e.actor_role),
                "reference": ref,
                "case_id": e.case_id,
                "fields": list((e.payload or {}).get("fields", [])),
                "what": personal.viewed_what(e.payload),
                "reason": (e.payload or {}).get("reason", ""),
            }
            for e, ref in rows
        ]
