"""The documents of a case: the four of the application (DESIGN §4) and the later ones."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..data import ownership
from ..data.models import Case, Document
from ..data.settings import Settings
from ..rules import cost
from ..rules.subsidy import subsidy_cap
from .facts import applicant_facts, case_facts, quorum_figures


@dataclass(frozen=True)
class DocumentKind:
    name: str
    label: str
    label_en: str
    generated: bool = False  # produced from the case; an uploaded signed scan may replace it
    content_types: tuple[str, ...] = ("application/pdf",)


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
        # Issued by the mediator's outcome (调解), never uploaded by the applicant.
        DocumentKind("mediation_record", "调解意见书", "Mediation record", True),
    )
}  # fmt: skip

# The application's four documents (材料 4 项).
FOUR = ("application_form", "owners_agreement", "design_plan", "publicity_report")
GENERATED = tuple(k for k in FOUR if KINDS[k].generated)


def current(case: Case) -> dict[str, Document]:
    """The newest version of each kind of document."""
    latest: dict[str, Document] = {}
    for d in case.documents:
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


def cost_shares(case: Case, subsidy_fen: int = 0, rule: str = "agreeing") -> dict[int, int]:
    """Each household's share in fen of the estimated cost less the subsidy (DESIGN §3.2)."""
    total = max((case.estimated_cost_fen or 0) - subsidy_fen, 0)
    coef = coefficients(case)
    payers = paying(case, rule)
    weights = [
        (h.id, cost.weight(coef.get(h.floor, Decimal(0)), h.area) if h.id in payers else 0)
        for h in case.households
    ]
    if total == 0 or not any(w for _, w in weights):
        return {h.id: 0 for h in case.households}
    return cost.share_costs(total, weights)


def document_context(case: Case, kind: str, settings: Settings, today: str) -> dict[str, Any]:
    """The facts a generated document shows, frozen into the Document row at submission."""
    subsidy = subsidy_cap(case.floors, case.estimated_cost_fen or 0, settings.subsidy_tiers_fen)
    shares = cost_shares(case, subsidy, settings.cost_sharing)
    payers = paying(case, settings.cost_sharing)
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
            }
        )
    return {
        "kind": kind,
        "title": KINDS[kind].label,
        "case": case_facts(case),
        "applicant": applicant_facts(case),
        "households": households,
        "total_cost_fen": case.estimated_cost_fen or 0,
        "subsidy_fen": subsidy,
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
