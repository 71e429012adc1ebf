"""Opening an application and keeping its building, roster and cost figures."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import inputs
from ..data import audit
from ..data.models import Case, Household, User
from ..data.ownership import mask_id_number
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, Message, msg
from ..process.access import actor_of, case_for
from ..process.states import INITIAL, STATE
from ..rules import cost
from ..rules.money import parse_yuan
from .elevators import (
    check_running_cost_rooms,
    parse_management_unit,
    running_cost_fen,
    running_cost_shares,
    set_management_unit,
)

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 居民身份证号码 (GB 11643): 18 characters, the last a digit or X; old cards have 15 digits.
ID_NUMBER = re.compile(r"^(\d{17}[\dX]|\d{15})$")
BUILDING_FIELDS = (
    ("community", "小区名称", 100),
    ("address", "地址", 200),
    ("building", "楼栋号", 32),
    ("unit", "单元号", 32),
)


def valid_mobile(phone: str) -> bool:
    return bool(MOBILE.match(phone or ""))


def _building(data: Mapping[str, Any], errors: list[Message]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, label, size in BUILDING_FIELDS:
        value = str(data.get(name) or "").strip()
        if not value:
            errors.append(msg(name, f"请填写{label}。", f"{name} is required."))
        elif len(value) > size:
            errors.append(msg(name, f"{label}不能超过 {size} 个字。", f"{name} is too long."))
        out[name] = value
    # The sub-district (街道) is optional: the public register groups projects by it.
    street = str(data.get("street") or "").strip()
    if len(street) > 32:
        errors.append(msg("street", "街道名称不能超过 32 个字。", "street is too long."))
    out["street"] = street or None
    try:
        floors = int(str(data.get("floors", "")).strip())
        if not 2 <= floors <= 40:
            raise ValueError
        out["floors"] = floors
    except ValueError:
        errors.append(
            msg("floors", "楼层数应为 2 到 40 之间的整数。", "Floors: a number from 2 to 40.")
        )
    return out


def parse_household(
    row: Mapping[str, Any], floors: int | None, label: str
) -> tuple[dict, list[Message]]:
    """One roster row; every problem named with the row it is in."""
    errors: list[Message] = []
    room = str(row.get("room") or "").strip()
    owner = str(row.get("owner_name") or "").strip()
    phone = str(row.get("phone") or "").strip().replace(" ", "").replace("-", "")
    out: dict[str, Any] = {"room": room, "owner_name": owner, "phone": phone or None}
    if not room or len(room) > 16:
        errors.append(
            msg("room", f"{label}：请填写室号（16 字以内）。", f"{label}: room is required.")
        )
    try:
        floor = int(str(row.get("floor") or "").strip())
        if floor < 1 or (floors and floor > floors):
            raise ValueError
        out["floor"] = floor
    except ValueError:
        top = f"1 到 {floors}" if floors else "正整数"
        errors.append(msg("floor", f"{label}：楼层应为 {top}。", f"{label}: floor out of range."))
    try:
        area = Decimal(str(row.get("area") or "").strip())
        if not area.is_finite() or area <= 0 or area > 1000 or area.as_tuple().exponent < -2:
            raise InvalidOperation
        out["area"] = area
    except InvalidOperation:
        errors.append(
            msg(
                "area",
                f"{label}：专有面积应为大于 0 的数（最多两位小数）。",
                f"{label}: area must be > 0.",
            )
        )
    if not owner or len(owner) > 64:
        errors.append(
            msg("owner_name", f"{label}：请填写业主姓名。", f"{label}: owner name is required.")
        )
    id_number = "".join(str(row.get("id_number") or "").split()).upper()
    out["id_number"] = id_number or None
    held = row.get("developer_held")
    # Absent: unchanged (a form without the box must not clear a clerk-confirmed fact).
    out["developer_held"] = None if held is None else str(held).lower() in ("1", "true", "on", "y")
    if id_number and "*" in id_number:
        pass  # the masked number a form showed, sent back unchanged: the stored one stays
    elif id_number and not ID_NUMBER.match(id_number):
        errors.append(
            msg(
                "id_number",
                f"{label}：身份证号应为 18 位（末位可为 X）或 15 位数字。",
                f"{label}: invalid ID number.",
            )
        )
    if phone and not valid_mobile(phone):
        errors.append(
            msg(
                "phone",
                f"{label}：手机号应为 11 位大陆手机号。",
                f"{label}: invalid mobile number.",
            )
        )
    return out, errors


def _roster(
    rows: Sequence[Mapping[str, Any]], floors: int | None, errors: list[Message]
) -> list[dict]:
    parsed, seen = [], set()
    for i, row in enumerate(rows, start=1):
        h, errs = parse_household(row, floors, f"第 {i} 行")
        for e in errs:
            errors.append(Message(f"households.{i - 1}.{e.code}", e.zh, e.en))
        if h["room"] and h["room"] in seen:
            errors.append(
                msg(
                    f"households.{i - 1}.room",
                    f"第 {i} 行：室号 {h['room']} 重复。",
                    "Duplicate room.",
                )
            )
        seen.add(h["room"])
        parsed.append(h)
    return parsed


def validate_application(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict]]:
    errors: list[Message] = []
    building = _building(data, errors)
    rows = data.get("households") or []
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise InvalidInput(msg("households", "住户名单格式不正确。", "households must be a list."))
    roster = _roster(rows, building.get("floors"), errors)
    if "estimated_cost" in data:
        building["estimated_cost_fen"] = estimate(data.get("estimated_cost"), errors)
    if "management_unit" in data:  # who will run the elevator, named before the votes
        building["management_unit"], unit_errors = parse_management_unit(data["management_unit"])
        errors.extend(unit_errors)
    if "running_cost" in data:
        building["running_cost_fen"] = running_cost_fen(data["running_cost"], errors)
    if errors:
        raise InvalidInput(*errors)
    return building, roster


def estimate(value: Any, errors: list[Message]) -> int | None:
    """The estimated total cost typed in yuan ("480000.00"), in fen; None when left empty."""
    if value in (None, ""):
        return None
    try:
        fen = parse_yuan(str(value))
        if fen <= 0:
            raise ValueError("须大于 0")
        inputs.fen(fen, field="estimated_cost", label="预计总造价")
    except ValueError as exc:
        errors.append(msg("estimated_cost", f"预计总造价：{exc}", "Invalid estimated cost."))
        return None
    except InvalidInput as exc:
        errors.extend(exc.messages)
        return None
    return fen


def compensations(value: Any, errors: list[Message]) -> dict[str, int] | None:
    """The compensation each flat receives (低层补偿), room → yuan ("6000.00"), in fen; None
    when not given. A flat left out receives nothing."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append(
            msg(
                "compensations",
                "低层补偿应为“室号 → 金额（元）”的对应表。",
                'compensations: an object of room → yuan, e.g. {"101": "6000.00"}.',
            )
        )
        return None
    out: dict[str, int] = {}
    for room, amount in value.items():
        room = str(room).strip()
        try:
            fen = 0 if amount in (None, "") else parse_yuan(str(amount))
            inputs.fen(fen, field="compensations", label="低层补偿")
        except ValueError as exc:
            errors.append(
                msg(
                    f"compensations.{room}",
                    f"{room} 室的补偿金额：{exc}",
                    f"Room {room}: bad amount.",
                )
            )
            continue
        except InvalidInput as exc:
            errors.extend(exc.messages)
            continue
        if fen:
            out[room] = fen
    return out


def _set_compensations(case: Case, received: Mapping[str, int]) -> None:
    """Each flat's compensation; every room named must be on the roster, and someone must
    carry a share to pay it (DESIGN §3.3a)."""
    rooms = {h.room for h in case.households}
    unknown = sorted(set(received) - rooms)
    errors = [
        msg(f"compensations.{room}", f"住户名单中没有 {room} 室，不能为其设置补偿。",
            f"Room {room} is not on the roster.")
        for room in unknown
    ]  # fmt: skip
    coef = _effective(case.floors, case.coefficients or {})
    if sum(received.values()) and not any(
        cost.weight(coef.get(h.floor, Decimal(0)), h.area) for h in case.households
    ):
        errors.append(
            msg(
                "compensations",
                "没有分摊费用的住户，无法支付低层补偿：请先设置楼层系数。",
                "Nobody carries a share to pay the compensation.",
            )
        )
    if errors:
        raise InvalidInput(*errors)
    for h in case.households:
        h.compensation_fen = received.get(h.room, 0)


def _received(case: Case) -> dict[str, int]:
    return {h.room: h.compensation_fen for h in case.households if h.compensation_fen}


def _set_roster(case: Case, roster: list[dict]) -> None:
    by_room = {h.room: h for h in case.households}
    keep = []
    for pos, row in enumerate(roster):
        h = by_room.pop(row["room"], None) or Household(room=row["room"])
        h.position, h.floor, h.area = pos, row["floor"], row["area"]
        h.owner_name, h.phone = row["owner_name"], row["phone"]
        id_number = row.get("id_number")
        if id_number and "*" in id_number:
            id_number = h.id_number if mask_id_number(h.id_number) == id_number else None
        h.id_number = id_number
        if row.get("developer_held") is not None or h.developer_held is None:
            h.developer_held = bool(row.get("developer_held"))
        keep.append(h)
    case.households[:] = keep


def create_case(rt: Runtime, actor: User | int, data: Mapping[str, Any]) -> int:
    """A homeowner opens an application (state draft); returns the case id."""
    building, roster = validate_application(data)
    errors: list[Message] = []
    received = compensations(data.get("compensations"), errors)
    running = running_cost_shares(data.get("running_cost_shares"), errors)
    if running:
        errors += check_running_cost_rooms(running, {h["room"] for h in roster})
    if errors:
        raise InvalidInput(*errors)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        if user.role != "homeowner":
            raise Forbidden(msg("role", "只有业主可以发起申请。", "Only homeowners may apply."))
        now = rt.clock()
        case = Case(
            reference=f"tmp-{uuid.uuid4().hex[:20]}",
            applicant_id=user.id,
            state=INITIAL,
            created_at=now,
            updated_at=now,
            coefficients={},
            running_cost_shares=running or None,
            **building,
        )
        _set_roster(case, roster)
        if received:
            _set_compensations(case, received)
        s.add(case)
        s.flush()
        case.reference = f"JT{now:%Y}{case.id:05d}"
        audit.append(
            s,
            kind="case_created",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            to_state=INITIAL,
            payload={
                **building,
                "households": len(roster),
                "compensations": received or {},
                "running_cost_shares": running or None,
            },
        )
        return case.id


def update_case(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> int:
    """Change the building and roster while the case is still editable (草拟)."""
    building, roster = validate_application(data)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        _applicant_only(user, case)
        if "editable" not in STATE[case.state].tags:
            raise Conflict(
                msg("state", "发起意见征询后不能再修改楼栋和住户名单。", "No longer editable.")
            )
        if expected_version is not None and expected_version != case.version:
            raise Conflict(msg("stale", "案件已被更新，请刷新后重试。", "Stale version."))
        for k, v in building.items():
            setattr(case, k, v)
        _set_roster(case, roster)
        case.updated_at = rt.clock()
        s.flush()
        audit.append(
            s,
            kind="case_updated",
            at=case.updated_at,
            actor=user,
            role="applicant",
            case=case,
            payload={**building, "households": len(roster)},
        )
        return case.version


def _applicant_only(user: User, case: Case) -> None:
    if case.applicant_id != user.id:
        raise Forbidden(
            msg("role", "只有申请人可以修改申请。", "Only the applicant may change this.")
        )


def set_costs(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    estimated_cost: str | int | None,
    coefficients: Mapping[int | str, Any] | None = None,
    *,
    restart_consultation: bool = False,
    reason: str = "",
    compensation: Mapping[str, Any] | None = None,
    running_shares: Mapping[str, Any] | None = None,
) -> int:
    """The estimated cost, floor coefficients and compensation to the low floors (DESIGN §3.2,
    §3.3a), and the agreement's own shares of the yearly running cost (room → whole parts; an
    empty mapping goes back to the same ratios as the building cost); `compensation` or
    `running_shares` None leaves it as it is.

    No vote stands on a figure its signer did not see: once a household has voted, the figures
    change only by restarting the consultation, which clears every vote.
    """
    errors: list[Message] = []
    cost_fen = estimate(estimated_cost, errors)
    coef: dict[str, str] = {}
    for floor, value in (coefficients or {}).items():
        try:
            d = Decimal(str(value).strip())
            if not d.is_finite() or d < 0 or d > 10 or d.as_tuple().exponent < -2:
                raise InvalidOperation
            coef[str(int(floor))] = str(d)
        except (InvalidOperation, ValueError):
            errors.append(
                msg(
                    f"coefficient_{floor}",
                    f"{floor} 层系数应为 0 到 10 之间的数。",
                    "Bad coefficient.",
                )
            )
    received = compensations(compensation, errors)
    running = running_cost_shares(running_shares, errors)
    if errors:
        raise InvalidInput(*errors)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        _applicant_only(user, case)
        if running is None:
            running = dict(case.running_cost_shares or {})
        elif unknown := check_running_cost_rooms(running, {h.room for h in case.households}):
            raise InvalidInput(*unknown)
        if not STATE[case.state].tags & {"editable", "voting"}:
            raise Conflict(
                msg(
                    "state",
                    "公示开始后不能再修改费用分摊。",
                    "Costs are fixed after the notice starts.",
                )
            )
        if coefficients is None:  # the cost alone: the agreed coefficients stay
            coef = dict(case.coefficients or {})
        if received is None:
            received = _received(case)
        changed = (
            cost_fen != case.estimated_cost_fen
            or _effective(case.floors, coef) != _effective(case.floors, case.coefficients or {})
            or received != _received(case)
            or running != (case.running_cost_shares or {})
        )
        votes = [h.vote for h in case.households if h.vote is not None]
        if "voting" in STATE[case.state].tags and not cost_fen:
            raise InvalidInput(
                msg(
                    "estimated_cost",
                    "意见征询中须保留预计总造价（大于 0 元）。",
                    "The estimated cost stays above 0 during the consultation.",
                )
            )
        if changed and votes:
            _restart_consultation(s, rt, user, case, votes, restart_consultation, reason)
        case.estimated_cost_fen = cost_fen
        case.coefficients = coef
        _set_compensations(case, received)
        case.running_cost_shares = running or None
        case.updated_at = rt.clock()
        s.flush()
        audit.append(
            s,
            kind="costs_set",
            at=case.updated_at,
            actor=user,
            role="applicant",
            case=case,
            payload={
                "estimated_cost_fen": cost_fen,
                "coefficients": coef,
                "compensations": received,
                "running_cost_shares": running or None,
            },
        )
        return case.version


def _effective(floors: int, coefficients: Mapping[str, str]) -> dict[int, Decimal]:
    """Coefficients as the sharing uses them: a floor left out has its default."""
    merged = cost.default_coefficients(floors)
    merged.update({int(k): Decimal(v) for k, v in coefficients.items()})
    return merged


def _restart_consultation(
    s: Any, rt: Runtime, user: User, case: Case, votes: list, confirmed: bool, reason: Any
) -> None:
    """Clear every vote so that each household votes again on the new figures."""
    reason = str(reason or "").strip()
    if not confirmed or not reason:
        raise Conflict(
            msg(
                "restart_consultation",
                f"已有 {len(votes)} 户表决。修改费用须重新发起意见征询：已有的表决全部作废，"
                "各户须按新的金额重新表决。请确认并说明修改原因。",
                f"{len(votes)} household(s) have voted. Changing the figures restarts the "
                "consultation and clears every vote: confirm and give the reason.",
            )
        )
    now = rt.clock()
    cleared = [{"room": v.household.room, "choice": v.choice} for v in votes]
    for h in case.households:
        h.vote_stands = False
        if h.vote is not None:
            s.delete(h.vote)
            h.vote = None
    case.consultation_started_at = now
    s.flush()
    audit.append(
        s,
        kind="consultation_restarted",
        at=now,
        actor=user,
        role="applicant",
        case=case,
        payload={
            "reason": reason[:2000],
            "votes_cleared": cleared,
            "estimated_cost_fen_before": case.estimated_cost_fen,
        },
    )


_COST_KEYS = (
    "estimated_cost", "coefficients", "compensations", "running_cost_shares",
    "restart_consultation", "reason",
)  # fmt: skip
# Figures that go to `set_costs` even while the building and roster may still change.
_FIGURE_KEYS = ("coefficients", "compensations", "running_cost_shares", "restart_consultation")


def patch_case(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> int:
    """Change only what `data` names: the building and roster while the case is editable, the
    estimate, coefficients, compensations and running-cost shares also during the consultation
    (restarting it after a vote)."""
    if _UNIT_KEYS & set(data):  # until completion is reported, whatever the rest allows
        version = _patch_unit(rt, actor, case_id, data, expected_version)
        data = {k: v for k, v in data.items() if k not in _UNIT_KEYS}
        if not data:
            return version
        expected_version = None if expected_version is None else version
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        _applicant_only(user, case)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(msg("stale", "案件已被更新，请刷新后重试。", "Stale version."))
        editable = "editable" in STATE[case.state].tags
        current: dict[str, Any] = {name: getattr(case, name) for name, *_ in BUILDING_FIELDS}
        current["floors"] = case.floors
        current["households"] = [
            {
                "room": h.room,
                "floor": h.floor,
                "area": h.area,
                "owner_name": h.owner_name,
                "phone": h.phone,
                "id_number": h.id_number,
                "developer_held": h.developer_held,
            }
            for h in case.households
        ]
        coefficients = dict(case.coefficients or {})
    if any(k not in _COST_KEYS for k in data) or (editable and "estimated_cost" in data):
        version = update_case(rt, actor, case_id, {**current, **data}, expected_version)
        if not any(k in data for k in _FIGURE_KEYS):
            return version
    return set_costs(
        rt,
        actor,
        case_id,
        data["estimated_cost"] if "estimated_cost" in data else _current_cost(rt, case_id),
        data.get("coefficients", coefficients),
        restart_consultation=bool(data.get("restart_consultation")),
        reason=str(data.get("reason") or ""),
        compensation=data.get("compensations"),
        # null goes back to the same ratios as the building cost; left out, nothing changes
        running_shares=(
            (data["running_cost_shares"] or {}) if "running_cost_shares" in data else None
        ),
    )


_UNIT_KEYS = {"management_unit", "running_cost"}


def _patch_unit(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> int:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        _applicant_only(user, case)
        if expected_version is not None and expected_version != case.version:
            raise Conflict(msg("stale", "案件已被更新，请刷新后重试。", "Stale version."))
        unit = data.get("management_unit", case.management_unit)
    return set_management_unit(
        rt,
        actor,
        case_id,
        unit,
        data.get("running_cost"),
        keep_running_cost="running_cost" not in data,
    )


def _current_cost(rt: Runtime, case_id: int) -> str | None:
    with rt.db.session() as s:
        fen = s.get(Case, case_id).estimated_cost_fen
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"
