"""Letters clerks print (DESIGN §5): kinds, gapless numbers, and the facts each one shows."""

from __future__ import annotations

import secrets
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, object_session

from .documents import case_facts, mask_phone
from .models import Case, Household, LetterCounter, Vote
from .rules import quorum as quorum_rule
from .rules.subsidy import subsidy_cap
from .settings import Settings

KINDS: dict[str, tuple[str, str]] = {
    "acceptance_notice": ("受理通知书", "Notice of acceptance"),
    "correction_notice": ("补正材料通知书", "Notice to supply missing materials"),
    "approval_decision": ("准予加装电梯决定书", "Decision to approve the elevator"),
    "rejection_decision": ("不予批准决定书", "Decision not to approve"),
    "subsidy_notice": ("财政补贴核定通知书", "Notice of the approved subsidy"),
}

# No 0/O or 1/I/L: the code is typed by hand from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verify_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def allocate_serial(session: Session, kind: str, year: int) -> int:
    """The next number for (kind, year), without gaps or duplicates.

    One statement: an upsert that creates the counter at 1 or increments it, returning the
    number. PostgreSQL holds the row lock until commit, SQLite admits one writer (BEGIN
    IMMEDIATE), and a rolled back transaction gives its number back.
    """
    dialect = session.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LetterCounter)
    return session.execute(
        ins.values(kind=kind, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[LetterCounter.kind, LetterCounter.year],
            set_={"last": LetterCounter.last + 1},
        )
        .returning(LetterCounter.last)
    ).scalar_one()


def format_number(settings: Settings, kind: str, year: int, serial: int) -> str:
    return f"{settings.letter_prefixes[kind]}〔{year}〕{serial}号"


def addressee(case: Case) -> str:
    names = [h.owner_name for h in case.households]
    applicant = case.applicant.name or case.applicant.username
    if not names:
        return applicant
    head = "、".join(names[:3])
    more = f"等{len(names)}户业主" if len(names) > 3 else "业主"
    return f"{case.community}{case.building}{case.unit} {head}{more}"


def quorum_figures(case: Case, settings: Settings) -> dict[str, str]:
    """The four ratios of the consent quorum, from one aggregate query over the households and
    their votes (not a vote query per household); from the loaded rows when detached."""
    session = object_session(case)
    if session is None or case.id is None:
        result = quorum_rule.consent_quorum(
            [
                quorum_rule.Ballot(h.area, h.vote.choice if h.vote else None)
                for h in case.households
            ],
            quorum_rule.QuorumThresholds(settings.participation, settings.agreement),
        )
        ratios = (
            result.participation_area,
            result.participation_count,
            result.agree_area,
            result.agree_count,
        )
    else:
        ratios = _quorum_ratios(session, case.id)
    names = ("participation_area", "participation_count", "agree_area", "agree_count")
    return {k: quorum_rule.format_ratio(r) for k, r in zip(names, ratios, strict=True)}


def _quorum_ratios(session: Session, case_id: int) -> tuple[Fraction, ...]:
    # Areas summed in hundredths of a square metre: exact integers on both databases.
    centi = func.coalesce(func.sum(func.round(Household.area * 100)), 0)
    with session.no_autoflush:  # households and votes do not change in a transition
        rows = [
            (choice, n, int(a))
            for choice, n, a in session.execute(
                select(Vote.choice, func.count(Household.id), centi)
                .select_from(Household)
                .outerjoin(Vote, Vote.household_id == Household.id)
                .where(Household.case_id == case_id)
                .group_by(Vote.choice)
            )
        ]
    total_n = sum(n for _, n, _ in rows)
    total_a = sum(a for _, _, a in rows)
    voted_n = sum(n for c, n, _ in rows if c is not None)
    voted_a = sum(a for c, _, a in rows if c is not None)
    agree_n = sum(n for c, n, _ in rows if c == "agree")
    agree_a = sum(a for c, _, a in rows if c == "agree")

    def ratio(part: int, whole: int) -> Fraction:
        return Fraction(part) / Fraction(whole) if whole else Fraction(0)

    return (
        ratio(voted_a, total_a),
        ratio(voted_n, total_n),
        ratio(agree_a, voted_a),
        ratio(agree_n, voted_n),
    )


def letter_context(
    case: Case,
    kind: str,
    *,
    settings: Settings,
    number: str,
    verify_code: str,
    issued_on: str,
    params: dict[str, Any],
) -> dict[str, Any]:
    """Everything the letter shows, so that it renders without the case again."""
    from .settings import DEPARTMENTS

    title = KINDS[kind][0]
    data: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "number": number,
        "authority": settings.authority_name,
        "issued_on": issued_on,
        "addressee": addressee(case),
        "applicant": {
            "name": case.applicant.name or case.applicant.username,
            "phone_masked": mask_phone(case.applicant.phone or case.applicant.username),
        },
        "owners": [h.owner_name for h in case.households],
        "case": case_facts(case),
        "quorum": quorum_figures(case, settings),
        "opinions": [
            {
                "department": o.department,
                "department_label": DEPARTMENTS.get(o.department, (o.department,))[0],
                "verdict": o.verdict,
                "comment": o.comment,
            }
            for o in case.opinions
            if o.review_round == case.review_round
        ],
        "verify_code": verify_code,
        "verify_url": f"{settings.public_base_url.rstrip('/')}/verify/{verify_code}",
    }
    if case.submitted_at is not None:
        data["received_on"] = case.submitted_at.date().isoformat()
    if kind == "acceptance_notice":
        data["review_deadline"] = case.review_due.isoformat() if case.review_due else ""
    if kind == "correction_notice":
        data["items"] = [i["text"] for i in params.get("items", [])]
    if kind == "rejection_decision":
        data["reasons"] = params.get("reasons", "")
    if kind == "subsidy_notice":
        data["amount_fen"] = case.subsidy_fen or 0
        data["actual_cost_fen"] = case.actual_cost_fen or 0
        data["cap_fen"] = subsidy_cap(
            case.floors, case.actual_cost_fen or 0, settings.subsidy_tiers_fen
        )
        data["payee"] = case.payee or ""
        data["reason"] = case.subsidy_reason or ""
    return data


def exists_code(session: Session, code: str) -> bool:
    from .models import Letter

    return session.scalar(select(Letter.id).where(Letter.verify_code == code)) is not None
