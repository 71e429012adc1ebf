"""Each household's money (我的费用, DESIGN §3.3a): what its link page, the owner's pages and
`GET /api/v1/sign/{token}/money` show, computed here once for all three; with its yearly part of
the elevator's running cost once that cost is entered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..data.config import current_settings
from ..data.models import Case, Document, Household, Setting
from ..data.runtime import Runtime
from ..data.settings import Settings
from ..errors import NotFound, msg
from ..papers import documents
from ..papers.letters import verify_url
from ..process.access import actor_of, case_for
from ..rules.bill import add_months
from .guide import DEFAULT_TEXTS, TEXTS_KEY, clean_texts

CERTIFICATE = documents.CERTIFICATE
# The amounts of a bill, in fen (pages format them as yuan).
FIGURES = (
    "share_fen", "subsidy_fen", "compensation_paid_fen", "compensation_received_fen", "net_fen",
    "provident_fund_max_fen",
)  # fmt: skip
LINK_NOT_FOUND = msg("link", "签字链接无效。", "This signing link is not valid.")


def certificates(case: Case) -> dict[int, Document]:
    """The current 出资证明 of each household: the newest one issued to it."""
    out: dict[int, Document] = {}
    for d in case.documents:
        if d.kind == CERTIFICATE and d.household_id is not None:
            if d.household_id not in out or d.id > out[d.household_id].id:
                out[d.household_id] = d
    return out


def provident_fund_deadline(case: Case, settings: Settings) -> str | None:
    """The last day to apply to the 公积金 centre: months after the use registration."""
    if case.registered_on is None:
        return None
    return add_months(case.registered_on, settings.provident_fund_months).isoformat()


def bill_rows(case: Case, settings: Settings) -> list[dict[str, Any]]:
    """Every household's bill, flat by flat, as JSON-ready figures."""
    bills = documents.household_bills(case, settings)
    certs = certificates(case)
    deadline = provident_fund_deadline(case, settings)
    final = documents.subsidy_final(case)
    # The yearly running cost as the owners' agreement shares it, once its amount is entered.
    running = (
        documents.running_cost_shares(case, settings.cost_sharing) if case.running_cost_fen else {}
    )
    agreed = case.running_cost_shares or None
    rows = []
    for h in case.households:
        b = bills[h.id]
        cert = certs.get(h.id)
        rows.append(
            {
                "household_id": h.id,
                "room": h.room,
                "floor": h.floor,
                "owner_name": h.owner_name,
                "share_fen": b.share_fen,
                "subsidy_fen": b.subsidy_fen,
                "final": final,
                "actual": case.actual_cost_fen is not None,
                "compensation_paid_fen": b.compensation_paid_fen,
                "compensation_received_fen": b.compensation_received_fen,
                "net_fen": b.net_fen,
                "provident_fund_max_fen": b.provident_fund_max_fen,
                "provident_fund_deadline": deadline,
                "running_share_fen": running.get(h.id, 0) if case.running_cost_fen else None,
                "running_parts": agreed.get(h.room, 0) if agreed else None,
                "certificate": (
                    {"number": cert.number, "verify_url": verify_url(settings, cert.verify_code)}
                    if cert is not None and cert.verify_code
                    else None
                ),
                "certificate_id": cert.id if cert is not None else None,
            }
        )
    return rows


def provident_fund_papers(session: Any) -> str:
    """What the 公积金 centre asks for: a text the admin edits with the guide's texts."""
    row = session.get(Setting, TEXTS_KEY)
    stored = clean_texts(row.value if row is not None and row.value else {})
    return {**DEFAULT_TEXTS, **stored}["provident_fund_papers"]


def household_money(rt: Runtime, token: str) -> dict[str, Any]:
    """One household's bill through its link: its own line and nothing of its neighbours'."""
    if not token or len(token) > 64:
        raise NotFound(LINK_NOT_FOUND)
    with rt.db.session() as s:
        h = s.scalar(select(Household).where(Household.signing_token == token))
        if h is None:
            raise NotFound(LINK_NOT_FOUND)
        settings = current_settings(s, rt.settings)
        row = next(r for r in bill_rows(h.case, settings) if r["household_id"] == h.id)
        return {
            **row,
            "reference": h.case.reference,
            "estimated_cost_fen": h.case.estimated_cost_fen,
            "actual_cost_fen": h.case.actual_cost_fen,
            "registration_number": h.case.registration_number,
            "provident_fund_papers": provident_fund_papers(s),
        }


def case_bills(rt: Runtime, actor: Any, case_id: int) -> dict[str, Any]:
    """Every household's bill, for the applicant's and staff's pages of the case."""
    with rt.db.session() as s:
        case = case_for(s, actor_of(s, actor), case_id)
        settings = current_settings(s, rt.settings)
        return {
            "rows": bill_rows(case, settings),
            "final": documents.subsidy_final(case),
            "actual": case.actual_cost_fen is not None,
            "provident_fund_papers": provident_fund_papers(s),
        }
