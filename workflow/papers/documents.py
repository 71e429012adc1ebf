"""The documents of a case: the four of the application (DESIGN §4) and the later ones."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..data import ownership
from ..data.models import Case, Document
from ..data.settings import Settings
from ..rules import bill, cost, running_cost
from ..rules.subsidy import subsidy_cap
from .facts import applicant_facts, case_facts, quorum_figures


@dataclass(frozen=True)
class DocumentKind:
    name: str
    label: str
    label_en: str
    generated: bool = False  # produced from the case; an uploaded signed scan may replace it
    content_types: tuple[str, ...] = ("application/pdf",)
    per_household: bool = False  # one for each household (出资证明), never uploaded


PDF = ("application/pdf",)
PDF_OR_IMAGE = ("application/pdf", "image/jpeg", "image/png")

KINDS: dict[str, DocumentKind] = {
    k.name: k
    for k in (
        DocumentKind("application_form", "既有住宅加装电梯申请表", "Application form", True),
        DocumentKind("owners_agreement", "业主意见征询及费用分摊协议", "Owners' agreement", True),
        DocumentKind("design_plan", "设计方案（含结构安全评估）", "Design plan"),
        DocumentKind("publicity_report", "公示情况说明", "Publicity report", True),
        DocumentKind("notice_photo", "公示张贴照片", "Photo of the posted notice",
                     content_types=("image/jpeg", "image/png")),
        DocumentKind("acceptance_report", "竣工验收报告", "Acceptance report", content_types=PDF_OR_IMAGE),
        DocumentKind("equipment_registration", "特种设备使用登记证", "Special-equipment registration",
                     content_types=PDF_OR_IMAGE),
        DocumentKind("invoice", "发票", "Invoice", content_types=PDF_OR_IMAGE),
        DocumentKind("installation_notice", "特种设备安装改造修理告知回执",
                     "Receipt of the special-equipment installation notice", content_types=PDF_OR_IMAGE),
        DocumentKind("inspection_report", "特种设备监督检验报告", "Inspection report",
                     content_types=PDF_OR_IMAGE),
        DocumentKind("funding_certificate", "出资证明", "Funding certificate", True,
                     per_household=True),
        # Made when completion is confirmed, from the residents' acceptance (居民验收).
        DocumentKind("resident_acceptance", "竣工居民验收意见表", "Residents' acceptance form", True),
        # Issued by the mediator's outcome (调解), never uploaded by the applicant.
        DocumentKind("mediation_record", "调解意见书", "Mediation record", True),
    )
}  # fmt: skip

# The application's four documents (材料 4 项).
FOUR = ("application_form", "owners_agreement", "design_plan", "publicity_report")
GENERATED = tuple(k for k in FOUR if KINDS[k].generated)


def current(case: Case) -> dict[str, Document]:
    """The newest version of each kind of the case's own documents (those of one household,
    the 出资证明, aside)."""
    latest: dict[str, Document] = {}
    for d in case.documents:
        if d.household_id is not None:
            continue
        if d.kind not in latest or d.id > latest[d.kind].id:
            latest[d.kind] = d
    return latest


def status(case: Case) -> dict[str, dict[str, Any]]:
    """The four documents at a glance: generated, uploaded or missing."""
    docs = current(case)
    out = {}
    for kind in FOUR:
        d = docs.get(kind)
        k = KINDS[kind]
        out[kind] = {
            "kind": kind,
            "label": k.label,
            "label_en": k.label_en,
            "status": d.source if d else ("preview" if k.generated else "missing"),
            "document_id": d.id if d else None,
            "sha256": d.sha256 if d else None,
            "created_at": d.created_at.isoformat(timespec="minutes") if d else None,
        }
    return out


def coefficients(case: Case) -> dict[int, Decimal]:
    merged = cost.default_coefficients(case.floors)
    merged.update({int(k): Decimal(v) for k, v in (case.coefficients or {}).items()})
    return merged


def consultation_open(case: Case) -> bool:
    """Votes may still come in: households yet to vote may still agree (and pay)."""
    return case.publicity_start is None


def paying(case: Case, rule: str = "agreeing") -> set[int]:
    """The households whose shares cover the cost (DESIGN §3.2).

    By default only those who agree pay: a household that objects, abstains or does not take
    part pays nothing. While the consultation is open, a household yet to vote is counted as
    paying, so that every owner sees the figure they would pay on agreeing.
    """
    if rule == "everyone":
        return {h.id for h in case.households}
    still_open = consultation_open(case)
    return {
        h.id
        for h in case.households
        if (h.vote is None and still_open) or (h.vote is not None and h.vote.choice == "agree")
    }


def weights(case: Case, rule: str = "agreeing") -> list[tuple[int, Decimal | int]]:
    """Each household's sharing weight: coefficient × area if it pays, else 0 (DESIGN §3.2)."""
    coef = coefficients(case)
    payers = paying(case, rule)
    return [
        (h.id, cost.weight(coef.get(h.floor, Decimal(0)), h.area) if h.id in payers else 0)
        for h in case.households
    ]


def cost_shares(case: Case, subsidy_fen: int = 0, rule: str = "agreeing") -> dict[int, int]:
    """Each household's share in fen of the estimated cost less the subsidy (DESIGN §3.2)."""
    total = max((case.estimated_cost_fen or 0) - subsidy_fen, 0)
    w = weights(case, rule)
    if total == 0 or not any(x for _, x in w):
        return {h.id: 0 for h in case.households}
    return cost.share_costs(total, w)


def compensation_paid(case: Case, rule: str = "agreeing") -> dict[int, int]:
    """What each household pays of the compensation the low floors receive (DESIGN §3.3a): the
    households that carry a share, in proportion to it. All zero if nobody carries one (the
    applicant cannot set compensation then; votes against may leave it so later)."""
    received = {h.id: h.compensation_fen or 0 for h in case.households}
    try:
        return bill.compensation_paid(received, weights(case, rule))
    except ValueError:
        return {h.id: 0 for h in case.households}


def bill_cost(case: Case) -> int:
    """The cost the bill shares: the actual cost once known, else the estimate."""
    return case.actual_cost_fen or case.estimated_cost_fen or 0


def subsidy_final(case: Case) -> bool:
    """The subsidy has been approved (核准): its amount is fixed on the case."""
    return case.subsidy_fen is not None


def household_bills(case: Case, settings: Settings) -> dict[int, bill.Bill[int]]:
    """Each household's bill by id (DESIGN §3.3a): its share of the cost by the same weights
    as the agreement, its part of the subsidy (the approved one, or until then the expected
    one), compensation paid and received."""
    total = bill_cost(case)
    if subsidy_final(case):
        granted = case.subsidy_fen or 0
    else:
        granted = subsidy_cap(case.floors, total, settings.subsidy_tiers_fen) if total else 0
    w = weights(case, settings.cost_sharing)
    received = {h.id: h.compensation_fen or 0 for h in case.households if h.compensation_fen}
    try:
        return bill.bills(total, granted, w, received)
    except ValueError:  # compensation nobody carries a share to pay: shown as not yet owed
        return bill.bills(total, granted, w)


CERTIFICATE = "funding_certificate"
# The figures a 出资证明 states: a change in any of them issues a new one (DESIGN §3.3a).
CERTIFICATE_FIGURES = ("actual_cost_fen", "share_fen", "subsidy_fen", "own_part_fen")


def certificate_context(
    case: Case, h: Any, b: bill.Bill[int], settings: Settings, today: str
) -> dict[str, Any]:
    """One paying household's 出资证明: the figures the 公积金 centre reads (DESIGN §3.3a)."""
    return {
        "kind": CERTIFICATE,
        "title": KINDS[CERTIFICATE].label,
        "case": case_facts(case),
        "applicant": applicant_facts(case),
        "authority": settings.authority_name,
        "households": [
            {
                "room": h.room,
                "floor": h.floor,
                "area": f"{h.area:.2f}",
                "owner_name": h.owner_name,
                "coefficient": str(coefficients(case).get(h.floor, Decimal(0))),
                "share_fen": b.share_fen,
            }
        ],
        "household_id": h.id,
        "actual_cost_fen": bill_cost(case),
        "total_subsidy_fen": case.subsidy_fen or 0,
        "share_fen": b.share_fen,
        "subsidy_fen": b.subsidy_fen,
        "own_part_fen": b.own_part_fen,
        "compensation_paid_fen": b.compensation_paid_fen,
        "compensation_received_fen": b.compensation_received_fen,
        "registration_number": case.registration_number or "",
        "generated_on": today,
    }


def running_cost_shares(case: Case, rule: str = "agreeing") -> dict[int, int]:
    """Each household's part in fen of the yearly running cost, as the owners' agreement says:
    its own parts per room when it sets them, else the same ratios as the cost shares; only the
    households that pay a share pay (rules/running_cost.py)."""
    coef = coefficients(case)
    payers = paying(case, rule)
    return running_cost.running_cost_parts(
        case.running_cost_fen or 0,
        [
            (h.id, h.room, cost.weight(coef.get(h.floor, Decimal(0)), h.area), h.id in payers)
            for h in case.households
        ],
        case.running_cost_shares or None,
    )


def document_context(case: Case, kind: str, settings: Settings, today: str) -> dict[str, Any]:
    """The facts a generated document shows, frozen into the Document row at submission."""
    subsidy = subsidy_cap(case.floors, case.estimated_cost_fen or 0, settings.subsidy_tiers_fen)
    shares = cost_shares(case, subsidy, settings.cost_sharing)
    payers = paying(case, settings.cost_sharing)
    paid = compensation_paid(case, settings.cost_sharing)
    running = running_cost_shares(case, settings.cost_sharing)
    agreed = case.running_cost_shares or None
    coef = coefficients(case)
    households = []
    for h in case.households:
        v = h.vote
        households.append(
            {
                "pays": h.id in payers,
                "room": h.room,
                "floor": h.floor,
                "area": f"{h.area:.2f}",
                "owner_name": h.owner_name,
                "choice": v.choice if v else None,
                "signature_name": v.signed_as if v else "",
                "signed_at": v.signed_at.strftime("%Y-%m-%d %H:%M") if v else "",
                "channel": v.channel if v else "",
                "coefficient": str(coef.get(h.floor, Decimal(0))),
                "share_fen": shares.get(h.id, 0),
                "compensation_paid_fen": paid.get(h.id, 0),
                "compensation_received_fen": h.compensation_fen or 0,
                "running_share_fen": running.get(h.id, 0),
                "running_parts": agreed.get(h.room, 0) if agreed else None,
            }
        )
    unit = case.management_unit or {}
    return {
        "kind": kind,
        "title": KINDS[kind].label,
        "case": case_facts(case),
        "applicant": applicant_facts(case),
        "households": households,
        "total_cost_fen": case.estimated_cost_fen or 0,
        "subsidy_fen": subsidy,
        "compensation_fen": sum(h.compensation_fen or 0 for h in case.households),
        # Who runs the elevator and how its yearly running cost is shared (特种设备安全法第三十二、
        # 三十三条): the agreement's own parts per room, or the same ratios as the cost.
        "management_unit": (
            {"kind": UNIT_KINDS.get(unit.get("kind", ""), ("",))[0], "name": unit.get("name", "")}
            if unit
            else None
        ),
        "running_cost_fen": case.running_cost_fen or 0,
        "running_parts_total": sum(agreed.values()) if agreed else None,
        "cost_sharing": settings.cost_sharing,
        "owners_count": ownership.explain(case),
        "quorum": quorum_figures(case, settings),
        "publicity": {
            "start": case.publicity_start.date().isoformat() if case.publicity_start else "",
            "end": case.publicity_end.date().isoformat() if case.publicity_end else "",
            "place": case.publicity_place or "",
        },
        "objections": [
            {
                "household": o.household.room if o.household else "",
                "text": o.text,
                "lodged_at": o.lodged_at.strftime("%Y-%m-%d %H:%M"),
                "resolution": o.resolution or "",
                "resolved_at": o.resolved_at.strftime("%Y-%m-%d %H:%M") if o.resolved_at else "",
            }
            for o in case.objections
        ],
        "generated_on": today,
    }


# The kinds of 使用管理单位 the owners' agreement may name (services/elevators.py checks the
# input); only the owners themselves (with one named contact) are no organisation and so carry
# no unified social credit code.
UNIT_KINDS: dict[str, tuple[str, str]] = {
    "property": ("物业服务企业", "Property management company"),
    "entrusted": ("业主委托的管理单位", "Unit entrusted by the owners"),
    "community": ("社区", "The community"),
    "owners": ("业主自行管理（指定联系人）", "The owners, with a named contact"),
}

OPINIONS = {
    "satisfied": ("满意", "Satisfied"),
    "basically_satisfied": ("基本满意", "Basically satisfied"),
    "dissatisfied": ("不满意", "Dissatisfied"),
}


def _at(when: Any) -> str:
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def resident_acceptance_context(case: Case, today: str) -> dict[str, Any]:
    """竣工居民验收意见表: each household's opinion in the round that counts, the residents'
    representatives and how they accepted, every problem reported with its answers."""
    given = {
        o.household_id: o for o in case.acceptance_opinions
        if o.acceptance_round == case.acceptance_round
    }  # fmt: skip
    supervisors = {s.household_id: s for s in case.supervisors if s.active}
    households = []
    for h in case.households:
        o = given.get(h.id)
        households.append(
            {
                "room": h.room,
                "owner_name": h.owner_name,
                "representative": h.id in supervisors,
                "opinion": o.opinion if o else None,
                "opinion_label": OPINIONS[o.opinion][0] if o else "未提交",
                "reason": o.reason if o else "",
                "given_at": _at(o.given_at) if o else "",
                "answer": (o.answer or "") if o else "",
            }
        )
    counts = {k: sum(1 for x in households if x["opinion"] == k) for k in OPINIONS}
    return {
        "kind": "resident_acceptance",
        "title": KINDS["resident_acceptance"].label,
        "case": case_facts(case),
        "applicant": applicant_facts(case),
        "acceptance_round": case.acceptance_round,
        "households": households,
        "counts": {OPINIONS[k][0]: v for k, v in counts.items()},
        "not_given": sum(1 for x in households if x["opinion"] is None),
        "supervisors": [
            {
                "room": s.household.room,
                "owner_name": s.household.owner_name,
                "accepted_at": _at(s.accepted_at),
                "channel": "纸质确认" if s.accepted_channel == "paper" else "链接确认",
            }
            for s in case.supervisors
            if s.active
        ],
        "problems": [
            {
                "room": p.household.room,
                "text": p.text,
                "reported_at": _at(p.reported_at),
                "photos": len(p.photos or []),
                "answers": [{"kind": r.kind, "text": r.text, "at": _at(r.at)} for r in p.replies],
                "closed_at": _at(p.closed_at),
            }
            for p in case.problems
        ],
        "generated_on": today,
    }
