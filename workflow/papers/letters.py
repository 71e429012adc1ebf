"""Letters clerks print (DESIGN §5): kinds, gapless numbers, and the facts each one shows."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..data import ownership
from ..data.models import Case, Document, Household, Letter, LetterCounter
from ..data.settings import LETTER_PREFIXES, Settings
from ..rules.subsidy import subsidy_cap
from .facts import applicant_facts, case_facts, quorum_figures

KINDS: dict[str, tuple[str, str]] = {
    "acceptance_notice": ("受理通知书", "Notice of acceptance"),
    "correction_notice": ("补正材料通知书", "Notice to supply missing materials"),
    "approval_decision": ("准予加装电梯决定书", "Decision to approve the elevator"),
    "rejection_decision": ("不予批准决定书", "Decision not to approve"),
    "subsidy_notice": ("财政补贴核定通知书", "Notice of the approved subsidy"),
    "not_accepted_decision": ("不予受理决定书", "Decision not to accept the application"),
    "subsidy_return_notice": ("财政补贴申请退回通知书", "Notice returning the subsidy application"),
    "review_extension": ("延长审批期限告知书", "Notice of the extended review period"),
}
# Adverse acts: each letter states its reasons, its legal basis and the remedies (行政复议 to
# the configured body within 60 days, or a suit at the configured court within 6 months).
ADVERSE = frozenset(
    {"correction_notice", "rejection_decision", "not_accepted_decision",
     "subsidy_notice", "subsidy_return_notice"}
)  # fmt: skip

# What a letter's frozen context holds (`letter_context` writes it; the renderer checks a context
# against this and nothing else lists it): every kind, then what each kind adds, then the
# remedies every adverse letter names.
CONTEXT_KEYS = ("kind", "number", "authority", "issued_on", "addressee", "case", "verify_url")
KIND_KEYS: dict[str, tuple[str, ...]] = {
    "acceptance_notice": (),
    "correction_notice": ("items",),
    "approval_decision": (),
    "rejection_decision": ("reasons",),
    "subsidy_notice": ("amount_fen", "actual_cost_fen", "cap_fen"),
    "not_accepted_decision": ("reasons",),
    "subsidy_return_notice": ("reasons",),
    "review_extension": ("days", "reason", "review_deadline"),
}
REMEDY_KEYS = ("reconsideration_body", "court")
# What a kind may add when the case has it (never required): the decisions name the owners'
# objections, how each was settled (withdrawn, or mediated without agreement with its
# 调解意见书) and how the lead approver weighed them.
OPTIONAL_KEYS: dict[str, tuple[str, ...]] = {
    "approval_decision": ("objections", "weighing"),
    "rejection_decision": ("objections", "weighing"),
    # A corrected subsidy: the notice it replaces, the amount before and the reason.
    "subsidy_notice": ("corrects",),
}


def required_keys(kind: str) -> tuple[str, ...]:
    return CONTEXT_KEYS + KIND_KEYS[kind] + (REMEDY_KEYS if kind in ADVERSE else ())


def missing_keys(context: dict[str, Any]) -> list[str]:
    """What a letter's context lacks for its kind (empty: it can be rendered)."""
    kind = context.get("kind")
    if kind not in KINDS:
        return ["kind"]
    return [k for k in required_keys(kind) if context.get(k) in (None, "", [])]


# No 0/O or 1/I/L: the code is typed by hand from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_verify_code() -> str:
    """CODE_LENGTH characters of CODE_ALPHABET, uniformly at random, from one draw."""
    n, code = secrets.randbelow(len(CODE_ALPHABET) ** CODE_LENGTH), []
    for _ in range(CODE_LENGTH):
        n, i = divmod(n, len(CODE_ALPHABET))
        code.append(CODE_ALPHABET[i])
    return "".join(code)


_UPSERTS: dict[str, Any] = {}  # the counter's upsert, built once per dialect


def allocate_serial(session: Session, kind: str, year: int) -> int:
    """The next number for (kind, year), without gaps or duplicates.

    One statement: an upsert that creates the counter at 1 or increments it, returning the
    number. PostgreSQL holds the row lock until commit, SQLite admits one writer (BEGIN
    IMMEDIATE), and a rolled back transaction gives its number back.
    """
    dialect = session.get_bind().dialect.name
    stmt = _UPSERTS.get(dialect)
    if stmt is None:
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LetterCounter)
        stmt = _UPSERTS[dialect] = (
            ins.values(kind=bindparam("kind"), year=bindparam("year"), last=1)
            .on_conflict_do_update(
                index_elements=[LetterCounter.kind, LetterCounter.year],
                set_={"last": LetterCounter.last + 1},
            )
            .returning(LetterCounter.last)
        )
    return session.execute(stmt, {"kind": kind, "year": year}).scalar_one()


def format_number(settings: Settings, kind: str, year: int, serial: int) -> str:
    # A kind added after an admin saved the prefixes keeps its default until changed.
    prefix = settings.letter_prefixes.get(kind) or LETTER_PREFIXES[kind]
    return f"{prefix}〔{year}〕{serial}号"


def addressee(case: Case, hs: Sequence[Household | ownership.Flat] | None = None) -> str:
    names = [h.owner_name for h in (ownership.flats(case) if hs is None else hs)]
    applicant = case.applicant.name or case.applicant.username
    if not names:
        return applicant
    head = "、".join(names[:3])
    more = f"等{len(names)}户业主" if len(names) > 3 else "业主"
    return f"{case.community}{case.building}{case.unit} {head}{more}"


# The decisions print the departments' opinions they rest on (letters/_case.html).
SHOWS_OPINIONS = frozenset({"approval_decision", "rejection_decision"})


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
    """Everything the letter shows, so that it renders without the case again.

    The remedies (body for 行政复议, the court) come from the settings on every letter: a
    letter frozen today keeps naming them even after the settings change."""
    title = KINDS[kind][0]
    hs = ownership.flats(case)  # read once for the addressee, the owners and the count
    data: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "number": number,
        "city": settings.city_name,
        "authority": settings.authority_name,
        "reconsideration_body": settings.reconsideration_body,
        "court": settings.court,
        "issued_on": issued_on,
        "addressee": addressee(case, hs),
        "applicant": applicant_facts(case),
        "owners": [h.owner_name for h in hs],
        "case": case_facts(case, len(hs)),
        "quorum": quorum_figures(case, settings, hs),
        "opinions": [
            {
                "department": o.department,
                "department_label": settings.department_name(o.department),
                "verdict": o.verdict,
                "comment": o.comment,
            }
            for o in (case.opinions if kind in SHOWS_OPINIONS else ())
            if o.review_round == case.review_round
        ],
        "verify_code": verify_code,
        "verify_url": verify_url(settings, verify_code),
        "track_url": f"{settings.public_base_url.rstrip('/')}/track",
    }
    if case.submitted_at is not None:
        data["received_on"] = case.submitted_at.date().isoformat()
    if kind in SHOWS_OPINIONS:
        data["objections"] = objection_facts(case)
        data["weighing"] = params.get("weighing") or ""
    if kind == "acceptance_notice":
        data["review_deadline"] = case.review_due.isoformat() if case.review_due else ""
    if kind == "correction_notice":
        data["items"] = [i["text"] for i in params.get("items", [])]
    if kind in ("rejection_decision", "not_accepted_decision", "subsidy_return_notice"):
        data["reasons"] = params.get("reasons", "")
    if kind == "subsidy_notice":
        data["amount_fen"] = case.subsidy_fen or 0
        data["actual_cost_fen"] = case.actual_cost_fen or 0
        # The figure the owners agreed to before voting, beside what was actually spent.
        data["estimated_cost_fen"] = case.estimated_cost_fen or 0
        data["cap_fen"] = approval_cap(case, settings)
        data["payee"] = case.payee or ""
        data["reason"] = case.subsidy_reason or ""
        data["registration_number"] = case.registration_number or ""
        if params.get("corrects"):
            data["corrects"] = params["corrects"]
    if kind == "review_extension":
        data["days"] = case.review_extended_days
        data["reason"] = params.get("reason", "")
        data["review_deadline"] = case.review_due.isoformat() if case.review_due else ""
        extended = params.get("review_due") or {}
        data["previous_deadline"] = extended.get("from", "")
    return data


def approval_cap(case: Case, settings: Settings) -> int:
    """The most the subsidy may be, as the rule stood when it was approved: the cap the first
    财政补贴核定通知书 printed (settings may have changed since); before any notice, the rule
    as it stands now."""
    first = next((x for x in case.letters if x.kind == "subsidy_notice"), None)
    if first is not None and (first.data or {}).get("cap_fen") is not None:
        return int(first.data["cap_fen"])
    return subsidy_cap(case.floors, case.actual_cost_fen or 0, settings.subsidy_tiers_fen)


def latest_subsidy_notice(case: Case) -> Letter | None:
    return next((x for x in reversed(case.letters) if x.kind == "subsidy_notice"), None)


def objection_facts(case: Case) -> list[dict[str, Any]]:
    """Each objection, how it was settled, and the 调解意见书 that went to the review."""
    out = []
    for o in case.objections:
        record = next(
            (d for d in case.documents if any(m.document_id == d.id for m in o.mediations)), None
        )
        out.append(
            {
                "household": o.household.room if o.household else "",
                "text": o.text,
                "settled_by": o.settled_by or "",
                "resolution": o.resolution or "",
                "mediation_record": record.verify_code if record is not None else "",
            }
        )
    return out


def exists_code(session: Session, code: str) -> bool:
    """Letters and generated documents share one space of verification codes."""
    return (
        session.scalar(select(Letter.id).where(Letter.verify_code == code)) is not None
        or session.scalar(select(Document.id).where(Document.verify_code == code)) is not None
    )


def unused_verify_code(session: Session) -> str:
    code = new_verify_code()
    while exists_code(session, code):
        code = new_verify_code()
    return code


def verify_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/verify/{code}"
