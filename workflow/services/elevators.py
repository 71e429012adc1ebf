"""After the keys: who runs the elevator (使用管理单位), and its yearly inspections.

特种设备安全法第三十二、三十三条: a lift owned by many households has one 使用单位 named in
writing, which registers it and keeps it maintained; 第四十条 and TSG T7001: a periodic
inspection once a year. The owners name the unit with the costs, before they vote; the elevator
joins the register when the clerk confirms completion (`effects.register_elevator`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from .. import inputs
from ..data import audit
from ..data.config import current_settings
from ..data.models import Elevator, Inspection, User
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, Message, NotFound, msg
from ..papers.documents import UNIT_KINDS
from ..process.access import actor_of, case_for, require_role
from ..process.states import STATE
from ..rules import running_cost
from ..rules.credit_code import credit_code_problem, normalise
from ..rules.money import parse_yuan
from ..rules.workdays import add_years
from .files import check_file

RESULTS = ("合格", "不合格")
# A mobile number, or a landline with its area code (0710-6221234).
PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$")
ELEVATOR_NOT_FOUND = msg("elevator_not_found", "未找到该电梯。", "No such elevator.")


def before_completion(state: str) -> bool:
    """The 使用管理单位 may be named or changed until completion is reported."""
    s = STATE[state]
    return "final" not in s.tags and 0 < s.step <= STATE["construction"].step


def parse_management_unit(data: Any) -> tuple[dict[str, str] | None, list[Message]]:
    """`{"kind", "name", "credit_code", "phone"}` checked; None when every field is empty."""
    if data is None:
        return None, []
    if not isinstance(data, Mapping):
        return None, [msg("management_unit", "使用管理单位格式不正确。", "Malformed unit.")]
    kind = str(data.get("kind") or "").strip()
    name = str(data.get("name") or "").strip()
    code = normalise(str(data.get("credit_code") or ""))
    phone = str(data.get("phone") or "").strip().replace(" ", "")
    if not (kind or name or code or phone):
        return None, []
    errors: list[Message] = []
    if kind not in UNIT_KINDS:
        errors.append(
            msg(
                "management_unit.kind",
                "请选择使用管理单位的类型（物业、受托单位、社区或业主自管）。",
                "Choose the kind of unit: property, entrusted, community or owners.",
            )
        )
    if not name or len(name) > 100:
        errors.append(
            msg(
                "management_unit.name",
                "请填写使用管理单位名称（业主自管的填联系人姓名），100 字以内。",
                "Give the unit's name (or the owners' contact), up to 100 characters.",
            )
        )
    if kind != "owners":
        if not code:
            errors.append(
                msg(
                    "management_unit.credit_code",
                    "单位须填写统一社会信用代码。",
                    "An organisation needs its unified social credit code.",
                )
            )
        elif problem := credit_code_problem(code):
            errors.append(
                msg("management_unit.credit_code", f"使用管理单位：{problem}", "Invalid code.")
            )
    if not PHONE.match(phone):
        errors.append(
            msg(
                "management_unit.phone",
                "请填写使用管理单位的联系电话（手机或带区号的座机）。",
                "Give the unit's contact phone (mobile or landline with area code).",
            )
        )
    unit = {
        "kind": kind,
        "name": name,
        "credit_code": code if kind != "owners" else "",
        "phone": phone,
    }
    return unit, errors


def running_cost_fen(value: Any, errors: list[Message]) -> int | None:
    """The yearly running cost (electricity, maintenance, inspection, insurance) in yuan, as
    fen; None when left empty."""
    if value in (None, ""):
        return None
    try:
        fen = parse_yuan(str(value))
        return inputs.fen(fen, field="running_cost", label="年运行费用")
    except ValueError as exc:
        errors.append(msg("running_cost", f"年运行费用：{exc}", "Invalid running cost."))
    except InvalidInput as exc:
        errors.extend(exc.messages)
    return None


def running_cost_shares(value: Any, errors: list[Message]) -> dict[str, int] | None:
    """The owners' agreement's own shares of the running cost, room → whole parts (份); None
    when not given (nothing changes), {} when every part is empty or 0 (the same ratios as the
    building cost again). Rooms with no part are left out."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append(
            msg(
                "running_cost_shares",
                "运行费用分摊份数应为“室号 → 份数”的对应表。",
                'running_cost_shares: an object of room → whole parts, e.g. {"301": 2}.',
            )
        )
        return None
    out: dict[str, int] = {}
    for room, parts in value.items():
        room = str(room).strip()
        try:
            n = running_cost.parse_parts(parts)
        except ValueError as exc:
            errors.append(
                msg(
                    f"running_cost_shares.{room}",
                    f"{room} 室的运行费用份数：{exc}（0 到 {running_cost.MAX_PARTS}）。",
                    f"Room {room}: parts must be a whole number from 0 to "
                    f"{running_cost.MAX_PARTS}.",
                )
            )
            continue
        if n:
            out[room] = n
    return out


def check_running_cost_rooms(shares: Mapping[str, int], rooms: set[str]) -> list[Message]:
    """Every room given a part must be on the roster."""
    return [
        msg(
            f"running_cost_shares.{room}",
            f"住户名单中没有 {room} 室，不能为其设置运行费用份数。",
            f"Room {room} is not on the roster.",
        )
        for room in sorted(set(shares) - rooms)
    ]


def unit_label(kind: str | None) -> str:
    return UNIT_KINDS.get(kind or "", ("—", ""))[0]


def set_management_unit(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    unit: Any,
    running_cost: Any = None,
    *,
    keep_running_cost: bool = False,
) -> int:
    """Name (or change) who runs the elevator, and the yearly running cost its households share
    (the agreement's own shares of it, signed with the votes, are set with the costs:
    `set_costs`); allowed until completion is reported. Returns the case's version."""
    parsed, errors = parse_management_unit(unit)
    running_fen = None if keep_running_cost else running_cost_fen(running_cost, errors)
    if errors:
        raise InvalidInput(*errors)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if case.applicant_id != user.id:
            raise Forbidden(msg("role", "只有申请人可以修改申请。", "Only the applicant may."))
        if not before_completion(case.state):
            raise Conflict(
                msg(
                    "state",
                    "报告竣工后不能再修改使用管理单位。",
                    "The unit is fixed once completion is reported.",
                )
            )
        case.management_unit = parsed
        if not keep_running_cost:
            case.running_cost_fen = running_fen
        case.updated_at = rt.clock()
        s.flush()
        audit.append(
            s,
            kind="management_unit_set",
            at=case.updated_at,
            actor=user,
            role="applicant",
            case=case,
            payload={
                "kind": (parsed or {}).get("kind"),
                "name": (parsed or {}).get("name"),
                "credit_code": (parsed or {}).get("credit_code"),
                "running_cost_fen": case.running_cost_fen,
            },
        )
        return case.version


# ---------------------------------------------------------------- inspections


def _parse_inspection(
    inspected_on: Any, result: Any, today: date, report: bytes
) -> tuple[date, str]:
    errors: list[Message] = []
    day: date | None = None
    try:
        day = (
            inspected_on
            if isinstance(inspected_on, date)
            else date.fromisoformat(str(inspected_on or "").strip())
        )
        if day > today or day.year < 2000:
            errors.append(
                msg(
                    "inspected_on",
                    "检验日期不能晚于今天。",
                    "The inspection cannot be in the future.",
                )
            )
    except ValueError:
        errors.append(
            msg("inspected_on", "请填写检验日期（年-月-日）。", "Give the date as YYYY-MM-DD.")
        )
    if result not in RESULTS:
        errors.append(msg("result", "检验结论应为“合格”或“不合格”。", "Result: 合格 or 不合格."))
    if not report:
        errors.append(
            msg("report", "请上传定期检验报告（PDF）。", "Attach the inspection report (PDF).")
        )
    if errors:
        raise InvalidInput(*errors)
    return day, str(result)  # type: ignore[return-value]


def _record(
    rt: Runtime,
    s: Any,
    elevator: Elevator,
    user: User | None,
    day: date,
    result: str,
    report: bytes,
    via: str,
) -> int:
    settings = current_settings(s, rt.settings)
    content_type, data = check_file(
        report, ("application/pdf",), settings.upload_max_bytes, settings.upload_max_pages
    )
    now = rt.clock()
    sha = rt.store.record(s, data, content_type, now)
    row = Inspection(
        case_id=elevator.case_id,
        inspected_on=day,
        result=result,
        report_sha256=sha,
        recorded_at=now,
        recorded_by_id=user.id if user else None,
        via=via,
    )
    s.add(row)
    # The next periodic inspection is due a year after the last one (TSG T7001); an older
    # report recorded late does not move it back.
    if elevator.last_inspected_on is None or day > elevator.last_inspected_on:
        elevator.last_inspected_on = day
        elevator.next_inspection_due = add_years(day, 1)
    s.flush()
    audit.append(
        s,
        kind="inspection",
        at=now,
        actor=user,
        role="clerk" if user else "management_unit",
        case=elevator.case,
        payload={"inspected_on": day.isoformat(), "result": result, "sha256": sha, "via": via},
    )
    return row.id


def record_inspection(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    inspected_on: Any,
    result: Any,
    report: bytes,
) -> int:
    """A clerk records a yearly inspection with its report; returns the inspection's id."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        require_role(user, "clerk")
        elevator = s.get(Elevator, case_id) if 0 < case_id < 2**31 else None
        if elevator is None:
            raise NotFound(ELEVATOR_NOT_FOUND)
        day, result = _parse_inspection(inspected_on, result, rt.clock().date(), report)
        return _record(rt, s, elevator, user, day, result, report, "clerk")


def elevator_by_link(rt: Runtime, token: str) -> dict[str, Any]:
    """What the 使用管理单位's link shows: the elevator and its inspections, no personal data."""
    with rt.db.session() as s:
        elevator = _by_token(s, token)
        case = elevator.case
        done = s.scalars(
            select(Inspection)
            .where(Inspection.case_id == case.id)
            .order_by(Inspection.inspected_on.desc())
        ).all()
        return {
            "reference": case.reference,
            "address": f"{case.community} {case.building}栋{case.unit}单元",
            "registration_number": elevator.registration_number,
            "unit_name": (case.management_unit or {}).get("name", ""),
            "next_inspection_due": elevator.next_inspection_due,
            "last_inspected_on": elevator.last_inspected_on,
            "inspections": [{"inspected_on": i.inspected_on, "result": i.result} for i in done],
        }


def record_inspection_by_link(
    rt: Runtime, token: str, inspected_on: Any, result: Any, report: bytes
) -> int:
    """The 使用管理单位 records an inspection through the link it was sent by SMS."""
    with rt.db.transaction() as s:
        elevator = _by_token(s, token)
        day, result = _parse_inspection(inspected_on, result, rt.clock().date(), report)
        return _record(rt, s, elevator, None, day, result, report, "link")


def _by_token(s: Any, token: str) -> Elevator:
    elevator = (
        s.scalars(select(Elevator).where(Elevator.link_token == token)).first()
        if token and len(token) <= 64
        else None
    )
    if elevator is None:
        raise NotFound(msg("link", "链接无效或已失效。", "This link is not valid."))
    return elevator


def inspection_link(rt: Runtime, actor: User | int, case_id: int) -> str:
    """The 使用管理单位's link of an elevator, for the clerk to hand over again."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), "clerk")
        elevator = s.get(Elevator, case_id)
        if elevator is None:
            raise NotFound(ELEVATOR_NOT_FOUND)
        return elevator.link_token
