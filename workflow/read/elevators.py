"""The register of elevators in use: who runs each, its maintenance contract and its yearly
periodic inspection (特种设备安全法第四十条; TSG T7001), for the staff page, its CSV and the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, tuple_

from ..data.models import Case, Elevator, Inspection
from ..data.runtime import Runtime
from ..errors import InvalidInput, NotFound, msg
from ..papers.facts import mask_phone
from ..process.access import actor_of, require_role
from ..rules.credit_code import normalise

AHEAD = timedelta(days=30)
# The register's filters: inspections due within 30 days, overdue, contracts ending in 30 days.
FILTERS: dict[str, tuple[str, str]] = {
    "due": ("30 天内到期检验", "Inspection due within 30 days"),
    "overdue": ("检验已逾期", "Inspection overdue"),
    "contract": ("维保合同 30 天内到期", "Contract ending within 30 days"),
}
UNIT_KINDS = {
    "property": "物业服务企业",
    "entrusted": "业主委托的管理单位",
    "community": "社区",
    "owners": "业主自行管理",
}
STAFF = ("clerk", "approver", "admin")


def _row(e: Elevator, today: date) -> dict[str, Any]:
    c: Case = e.case
    unit = c.management_unit or {}
    due = e.next_inspection_due
    ends = c.maintenance_ends_on
    return {
        "case_id": c.id,
        "reference": c.reference,
        "community": c.community,
        "address": f"{c.address} {c.building}栋{c.unit}单元",
        "registration_number": e.registration_number,
        "registered_on": e.registered_on.isoformat(),
        "management_unit": {
            "name": unit.get("name", ""),
            "kind": unit.get("kind", ""),
            "kind_label": UNIT_KINDS.get(unit.get("kind", ""), ""),
            "phone": mask_phone(unit.get("phone")),
        },
        "maintenance_company": c.maintenance_company,
        "contract_ends_on": ends.isoformat() if ends else None,
        "last_inspected_on": e.last_inspected_on.isoformat() if e.last_inspected_on else None,
        "next_inspection_due": due.isoformat(),
        "overdue": due < today,
        "due_soon": today <= due <= today + AHEAD,
        "contract_ending": ends is not None and ends <= today + AHEAD,
    }


def _register(which: str | None, today: date, q: Any = None) -> Any:
    """`q` (the elevators, or their count) narrowed by the filter `which`."""
    q = select(Elevator) if q is None else q
    if which == "due":
        q = q.where(
            Elevator.next_inspection_due >= today,
            Elevator.next_inspection_due <= today + AHEAD,
        )
    elif which == "overdue":
        q = q.where(Elevator.next_inspection_due < today)
    elif which == "contract":
        q = q.join(Case, Case.id == Elevator.case_id).where(
            Case.maintenance_ends_on <= today + AHEAD
        )
    return q


def elevators(
    rt: Runtime, actor: Any, which: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """Every registered elevator (staff only), soonest inspection first; `which` one of
    `FILTERS` narrows the list. All of them, for the CSV and the API; the page shows
    `register_page`."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), *STAFF)
        today = today or rt.clock().date()
        q = _register(which, today).order_by(Elevator.next_inspection_due, Elevator.case_id)
        return [_row(e, today) for e in s.scalars(q)]


PER_PAGE = 20  # as the queues


def register_page(
    rt: Runtime,
    actor: Any,
    which: str | None = None,
    after: str | None = None,
    today: date | None = None,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """One page of the register, soonest inspection first, from the position `after` (the
    previous page's `next`), and how many elevators the filter finds: a province's 60,000
    elevators on one page took seconds to read and to render."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), *STAFF)
        today = today or rt.clock().date()
        q = _register(which, today)
        # Counted without the cases unless the filter needs them (a join of 60,000 rows).
        total = s.scalar(_register(which, today, select(func.count()).select_from(Elevator)))
        if after:
            due, case_id = _position(after)
            q = q.where(tuple_(Elevator.next_inspection_due, Elevator.case_id) > (due, case_id))
        q = q.order_by(Elevator.next_inspection_due, Elevator.case_id).limit(per_page + 1)
        found = list(s.scalars(q))
        rows = [_row(e, today) for e in found[:per_page]]
        last = found[per_page - 1] if len(found) > per_page else None
        return {
            "rows": rows,
            "total": total,
            "next": f"{last.next_inspection_due.isoformat()}~{last.case_id}" if last else None,
        }


def _position(after: str) -> tuple[date, int]:
    try:
        day, _, case_id = after.partition("~")
        return date.fromisoformat(day), int(case_id)
    except ValueError as exc:
        raise InvalidInput(
            msg(
                "cursor", "分页位置无效，请从第一页开始。", "Bad cursor; start from the first page."
            )
        ) from exc


def inspection_report(rt: Runtime, actor: Any, case_id: int, inspection_id: int) -> bytes:
    """The report of one recorded inspection, as stored (staff only)."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), *STAFF)
        i = s.get(Inspection, inspection_id) if 0 < inspection_id < 2**31 else None
        if i is None or i.case_id != case_id:
            raise NotFound(msg("inspection_not_found", "未找到该检验记录。", "No such inspection."))
        sha = i.report_sha256
    return rt.store.read(sha)


def elevator(rt: Runtime, actor: Any, case_id: int) -> dict[str, Any]:
    """One elevator with its inspections (staff only)."""
    with rt.db.session() as s:
        require_role(actor_of(s, actor), *STAFF)
        e = s.get(Elevator, case_id) if 0 < case_id < 2**31 else None
        if e is None:
            raise NotFound(msg("elevator_not_found", "未找到该电梯。", "No such elevator."))
        row = _row(e, rt.clock().date())
        row["maintenance_credit_code"] = normalise(e.case.maintenance_credit_code or "")
        row["inspections"] = [
            {
                "id": i.id,
                "inspected_on": i.inspected_on.isoformat(),
                "result": i.result,
                "via": i.via,
                "sha256": i.report_sha256,
            }
            for i in s.scalars(
                select(Inspection)
                .where(Inspection.case_id == case_id)
                .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
            )
        ]
        return row
