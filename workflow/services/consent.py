"""Consent and objections: recorded facts, not transitions (DESIGN §2)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..data import audit, privacy
from ..data.config import current_settings
from ..data.models import Case, Household, User, Vote
from ..data.ownership import explain
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, msg
from ..papers.facts import mask_phone
from ..process.access import actor_of, case_for, conflicted, require_role
from ..process.states import STATE
from ..read.cases import costs_of
from .agents import Proxy, check_proxy, stored_document
from .elevators import unit_label
from .households import check_owner, objection_text, typed_text
from .households import lodge as _lodge

_text, _objection_text = typed_text, objection_text

CHOICES = {"agree": "同意", "object": "反对", "abstain": "弃权"}
LINK_NOT_FOUND = msg("link", "签字链接无效。", "This signing link is not valid.")
LINK_ENDED = msg(
    "link", "本案已办结，签字链接已停止使用。", "The case is closed; its signing links have ended."
)


@dataclass(frozen=True)
class SigningView:
    """What the public signing page shows: nothing beyond this household's own line."""

    token: str
    case_id: int
    reference: str
    address: str
    room: str
    owner_masked: str
    voting_open: bool
    objections_open: bool
    voted: str | None
    signed_at: str | None
    # What the owner is asked to agree to pay (DESIGN §3.2), when the applicant has set a cost.
    estimated_cost_fen: int | None = None
    share_fen: int | None = None
    subsidy_fen: int = 0
    # The whole sharing table, flat by flat without names: floor, area, coefficient, share.
    table: tuple[dict[str, Any], ...] = ()
    cost_sharing: str = "agreeing"
    # How the owners are counted: "6 户，5 位业主（张某拥有 501、601 两套）".
    owners_explained: str = ""
    owners_explained_en: str = ""
    # Compensation to the low floors this household pays or receives (DESIGN §3.3a), seen
    # before voting as the share is.
    compensation_paid_fen: int = 0
    compensation_received_fen: int = 0
    # Who will run the elevator (使用管理单位), seen before voting, and this household's part
    # of the yearly running cost.
    management_unit: dict[str, str] | None = None
    running_cost_fen: int | None = None
    running_share_fen: int | None = None
    # The agreement's own shares of the running cost: (this household's parts, all parts), or
    # None when it is shared by the same ratios as the building cost.
    running_parts: tuple[int, int] | None = None
    # This household's own objections: the objector may withdraw an open one here.
    own_objections: tuple[dict[str, Any], ...] = ()


def _mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else ""


def _household_by_token(s: Any, token: str) -> Household:
    if not token or len(token) > 64:
        raise NotFound(LINK_NOT_FOUND)
    h = s.scalar(select(Household).where(Household.signing_token == token))
    # A closed case's links end at once (个人信息保护法第十九条); the daily job clears them.
    if h is None:
        raise NotFound(LINK_NOT_FOUND)
    if "final" in STATE[h.case.state].tags:
        raise NotFound(LINK_ENDED)
    return h


def signing_view(rt: Runtime, token: str) -> SigningView:
    with rt.db.session() as s:
        h = _household_by_token(s, token)
        c = h.case
        tags = STATE[c.state].tags
        costs = costs_of(c, current_settings(s, rt.settings))
        owners = explain(c)
        shares = costs["shares_fen"] if costs["estimated_cost_fen"] else {}
        agreed = costs["running_cost_shares"]
        table = tuple(
            {
                "room": x.room,
                "floor": x.floor,
                "area": f"{x.area:.2f}",
                "coefficient": costs["coefficients"].get(str(x.floor), "0"),
                "share_fen": shares.get(str(x.id), 0),
                "pays": str(x.id) in costs["paying"],
                "own": x.id == h.id,
                "compensation_paid_fen": costs["compensation_paid_fen"].get(str(x.id), 0),
                "compensation_received_fen": x.compensation_fen or 0,
                # The yearly running cost as the agreement shares it: this row's part, and its
                # parts (份) when the agreement sets its own.
                "running_share_fen": costs["running_shares_fen"].get(str(x.id), 0),
                "running_parts": agreed.get(x.room, 0) if agreed is not None else None,
            }
            for x in c.households
        )
        return SigningView(
            token=token,
            case_id=c.id,
            reference=c.reference,
            address=f"{c.community} {c.address} {c.building}{c.unit}",
            room=h.room,
            owner_masked=_mask_name(h.owner_name),
            voting_open="voting" in tags,
            objections_open="objections" in tags,
            voted=h.vote.choice if h.vote else None,
            signed_at=h.vote.signed_at.strftime("%Y-%m-%d %H:%M") if h.vote else None,
            estimated_cost_fen=costs["estimated_cost_fen"],
            share_fen=shares.get(str(h.id)) if costs["estimated_cost_fen"] else None,
            subsidy_fen=costs["subsidy_fen"],
            table=table if costs["estimated_cost_fen"] else (),
            cost_sharing=costs["cost_sharing"],
            owners_explained=owners["text"],
            owners_explained_en=owners["text_en"],
            compensation_paid_fen=costs["compensation_paid_fen"].get(str(h.id), 0),
            compensation_received_fen=h.compensation_fen or 0,
            management_unit=(
                {
                    "kind": unit_label(c.management_unit.get("kind")),
                    "name": c.management_unit.get("name", ""),
                    "phone": mask_phone(c.management_unit.get("phone")),
                }
                if c.management_unit
                else None
            ),
            running_cost_fen=c.running_cost_fen,
            running_share_fen=(
                costs["running_shares_fen"].get(str(h.id)) if c.running_cost_fen else None
            ),
            running_parts=(
                (agreed.get(h.room, 0), sum(agreed.values())) if agreed is not None else None
            ),
            own_objections=tuple(
                {
                    "id": o.id,
                    "text": o.text,
                    "open": o.resolved_at is None,
                    "resolution": o.resolution or "",
                    "in_mediation": any(m.concluded_at is None for m in o.mediations),
                }
                for o in c.objections
                if o.household_id == h.id
            ),
        )


def _norm(name: str) -> str:
    return "".join((name or "").split())


def _choice(choice: str) -> str:
    if not isinstance(choice, str) or choice not in CHOICES:
        raise InvalidInput(
            msg("choice", "请选择同意、反对或弃权。", "Choose agree, object or abstain.")
        )
    return choice


def _drawn_signature(rt: Runtime, s: Any, data_url: str | None, now: Any) -> str | None:
    """A drawn signature arrives as a PNG data URL; it is kept beside the typed name."""
    if not data_url:
        return None
    prefix = "data:image/png;base64,"
    try:
        if not data_url.startswith(prefix) or len(data_url) > 700_000:
            raise ValueError
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
        if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(
            msg("signature_image", "手写签名图片无效。", "Invalid drawn signature.")
        ) from exc
    return rt.store.record(s, raw, "image/png", now)


def _not_voted_yet(h: Household) -> None:
    if h.vote is not None:
        raise Conflict(
            msg(
                "voted",
                f"{h.room} 室已经表决过（{CHOICES[h.vote.choice]}），不能重复表决。",
                "This household has already voted.",
            )
        )


def _record_vote(
    s: Any,
    h: Household,
    choice: str,
    name: str,
    channel: str,
    now: Any,
    recorded_by: User | None,
    image: str | None = None,
    scan: str | None = None,
) -> Vote:
    _not_voted_yet(h)
    vote = Vote(
        household_id=h.id,
        case_id=h.case_id,
        choice=choice,
        signature_name=name,
        signature_image=image,
        signed_at=now,
        channel=channel,
        recorded_by_id=recorded_by.id if recorded_by else None,
        scan_sha256=scan,
    )
    s.add(vote)
    h.vote = vote
    s.flush()  # a second signature racing this one hits the unique household key here
    return vote


def sign(
    rt: Runtime,
    token: str,
    *,
    owner_name: str,
    phone_tail: str,
    choice: str,
    signature: str,
    signature_image: str | None = None,
    proxy: Proxy | None = None,
) -> SigningView:
    """An owner signs through the household's link, without an account; or a family member
    signs for the owner (`proxy`), naming the owner and the relationship, with the signed
    授权委托书. The household is identified the same way either way."""
    owner_name = _text(owner_name, "owner_name", "业主姓名")
    phone_tail = _text(phone_tail, "phone_tail", "手机号后四位")
    signature = _text(signature, "signature", "签名")
    signature_image = _text(signature_image, "signature_image", "手写签名") or None
    with rt.db.session() as s:
        h = _household_by_token(s, token)
        if "voting" not in STATE[h.case.state].tags:
            raise Conflict(
                msg("closed", "意见征询已经结束，签字链接已停止使用。", "The consultation is over.")
            )
        _not_voted_yet(h)
        household_id, owner = h.id, h.owner_name
    # Every problem with what was typed is reported at once.
    extra = []
    if not isinstance(choice, str) or choice not in CHOICES:
        extra.append(msg("choice", "请选择同意、反对或弃权。", "Choose agree, object or abstain."))
    signer = proxy.name.strip() if proxy is not None else owner
    if proxy is not None:
        extra.extend(check_proxy(proxy, owner))
    if _norm(signature) != _norm(signer):
        extra.append(msg("signature", "请输入完整姓名作为签名。", "Type your full name to sign."))
    check_owner(rt, household_id, owner_name, phone_tail, extra)
    with rt.db.transaction() as s:
        h = _household_by_token(s, token)
        case = h.case
        if "voting" not in STATE[case.state].tags:
            raise Conflict(
                msg("closed", "意见征询已经结束，签字链接已停止使用。", "The consultation is over.")
            )
        now = rt.clock()
        image = _drawn_signature(rt, s, signature_image, now)
        vote = _record_vote(s, h, choice, signature.strip(), "online", now, None, image)
        if proxy is not None:
            vote.proxy_relationship = proxy.relationship
            vote.proxy_document = stored_document(
                rt, s, proxy.document, "proxy_document", "授权委托书"
            )
        privacy.record_seen(s, current_settings(s, rt.settings), "vote", now, household=h)
        audit.append(
            s,
            kind="vote",
            at=now,
            actor=None,
            role="owner",
            case=case,
            payload={
                "room": h.room,
                "choice": choice,
                "channel": "online",
                "signed_by": vote.signed_as,
                "proxy_document": vote.proxy_document,
            },
        )
    return signing_view(rt, token)


def record_paper_vote(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    *,
    room: str,
    choice: str,
    signature: str,
    scan_sha256: str | None = None,
    proxy_relationship: str | None = None,
    proxy_document: str | None = None,
) -> int:
    """A clerk records a consent signed on paper, with the scan when there is one; signed by a
    family member for the owner, with the relationship and the stored 授权委托书
    (`store_scan`)."""
    choice = _choice(choice)
    if not _text(signature, "signature", "签名").strip():
        raise InvalidInput(msg("signature", "请填写签名人姓名。", "Give the signatory's name."))
    with rt.db.transaction() as s:
        user, case = _clerk_on(s, actor, case_id, "voting", _NO_PAPER_VOTES)
        h = _household(case, room)
        now = rt.clock()
        if proxy_relationship:
            proxy = Proxy(signature, proxy_relationship, b"")
            problems = check_proxy(proxy, h.owner_name, bool(proxy_document))
            if problems:
                raise InvalidInput(*problems)
        vote = _record_vote(s, h, choice, signature.strip(), "paper", now, user, scan=scan_sha256)
        if proxy_relationship:
            vote.proxy_relationship, vote.proxy_document = proxy_relationship, proxy_document
        audit.append(
            s,
            kind="vote",
            at=now,
            actor=user,
            role="clerk",
            case=case,
            payload={
                "room": h.room,
                "choice": choice,
                "channel": "paper",
                "scan": scan_sha256,
                "signed_by": vote.signed_as,
                "proxy_document": proxy_document,
            },
        )
        return vote.id


_NO_PAPER_VOTES = msg("closed", "当前不在意见征询阶段，不能登记表决。", "Not in consultation.")
_NO_OBJECTIONS = msg("closed", "当前阶段不再处理异议。", "Objections are closed at this stage.")


def _clerk_on(s: Any, actor: User | int, case_id: int, tag: str, closed: Any) -> tuple[User, Case]:
    """A clerk acting on a case whose state carries `tag` (separation of duties checked)."""
    user = actor_of(s, actor)
    require_role(user, "clerk")
    case = case_for(s, user, case_id)
    _no_conflict(user, case)
    if tag not in STATE[case.state].tags:
        raise Conflict(closed)
    return user, case


def _household(case: Case, room: str) -> Household:
    room = _text(room, "room", "室号").strip()
    for h in case.households:
        if h.room == room:
            return h
    raise InvalidInput(msg("room", f"住户名单中没有 {room} 室。", f"No room {room} in the roster."))


def _no_conflict(user: User, case: Case) -> None:
    if conflicted(user, case):
        raise Forbidden(
            msg(
                "separation_of_duties",
                "您是该案件的申请人或业主，不能以工作人员身份办理。",
                "You may not act on your own case as staff.",
            )
        )


def lodge_objection_by_link(rt: Runtime, token: str, text: str) -> int:
    text = _objection_text(text)
    with rt.db.transaction() as s:
        h = _household_by_token(s, token)
        return _lodge(s, rt, h.case, h, text, "online", None, "owner")


def lodge_objection(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    *,
    room: str | None,
    text: str,
    scan_sha256: str | None = None,
) -> int:
    """The applicant or a clerk (from paper) records an owner's objection."""
    text = _objection_text(text)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if user.role == "clerk":
            _no_conflict(user, case)
            channel, role = "paper", "clerk"
        elif case.applicant_id == user.id:
            channel, role = "online", "applicant"
        else:
            raise Forbidden(msg("role", "您无权登记异议。", "You may not record objections."))
        h = _household(case, room) if room else None
        return _lodge(s, rt, case, h, text, channel, user, role, scan_sha256)


def signing_links(rt: Runtime, actor: User | int, case_id: int) -> list[dict[str, Any]]:
    """One link per household, for the applicant to send or a clerk to print."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if case.applicant_id != user.id and user.role != "clerk":
            raise Forbidden(
                msg(
                    "role",
                    "只有申请人和窗口人员可以查看签字链接。",
                    "Only the applicant and clerks see signing links.",
                )
            )
        return [
            {
                "room": h.room,
                "owner_name": h.owner_name,
                "phone": h.phone,
                "token": h.signing_token,
                "voted": h.vote.choice if h.vote else None,
            }
            for h in case.households
            if h.signing_token
        ]
