"""Effects of transitions. They run inside the transaction that changes the state, so the
state, its audit event, its letters and their files commit together or not at all."""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from ..data.models import Correction, Document, Elevator, Letter, Supervisor
from ..papers import documents, letters
from ..rules.credit_code import normalise
from ..rules.subsidy import subsidy_cap
from ..rules.workdays import add_years
from . import clocks

if TYPE_CHECKING:
    from .context import Context

log = logging.getLogger(__name__)


def _rendered(ctx: Context, what: str, data: dict) -> str | None:
    """Render and store a PDF; on failure keep going without it.

    The frozen context is stored either way and the PDF is made from it on first download:
    a fault in the PDF engine must not stop a decision that has a legal deadline.
    """
    if ctx.renderer is None:
        return None
    try:
        pdf = ctx.renderer.letter(data) if what == "letter" else ctx.renderer.document(data)
    except Exception:  # noqa: BLE001 - any rendering fault is deferred, never fatal
        log.exception(
            "rendering %s %s failed; it will be rendered on first download", what, data.get("kind")
        )
        return None
    return ctx.store.record(ctx.session, pdf, "application/pdf", ctx.now)


def issue_signing_links(ctx: Context) -> None:
    ctx.case.consultation_started_at = ctx.now
    for h in ctx.case.households:
        if not h.signing_token:
            h.signing_token = secrets.token_urlsafe(18)


def start_publicity(ctx: Context) -> None:
    # Never under the rule's minimum; only the demo setting may shorten it (0 days: over at once).
    ctx.case.publicity_start = ctx.now
    ctx.case.publicity_end = ctx.now + timedelta(days=ctx.settings.publicity_period_days)
    if ctx.params.get("place"):
        ctx.case.publicity_place = ctx.params["place"]


def freeze_generated_documents(ctx: Context) -> None:
    """At submission the generated documents are produced from the case and frozen."""
    have = documents.current(ctx.case)
    today = ctx.now.date().isoformat()
    for kind in documents.GENERATED:
        if kind in have and have[kind].source == "uploaded":
            continue  # an uploaded signed scan replaces the generated document
        data = documents.document_context(ctx.case, kind, ctx.settings, today)
        # The printed copy handed in at the window is checked against the system like a letter.
        code = letters.unused_verify_code(ctx.session)
        data["verify_code"] = code
        data["verify_url"] = letters.verify_url(ctx.settings, code)
        photo = have.get("notice_photo")
        if kind == "publicity_report" and photo is not None and photo.sha256:
            raw = ctx.store.read(photo.sha256)
            data["notice_photo"] = (
                f"data:{photo.content_type};base64,{base64.b64encode(raw).decode()}"
            )
        _generated_document(ctx, kind, data, {k: v for k, v in data.items() if k != "notice_photo"})


def _generated_document(ctx: Context, kind: str, data: dict, frozen: dict) -> None:
    """A generated document, rendered now (or on first download) and frozen with its facts."""
    sha = _rendered(ctx, "document", data)
    doc = Document(
        case_id=ctx.case.id,
        kind=kind,
        source="generated",
        sha256=sha,
        filename=f"{documents.KINDS[kind].label}.pdf",
        content_type="application/pdf",
        data=frozen,
        created_at=ctx.now,
        verify_code=data["verify_code"],
    )
    ctx.session.add(doc)
    ctx.case.documents.append(doc)


def propose_whole_small_unit(ctx: Context) -> None:
    """A unit no larger than the minimum has no choice to make: every household is proposed
    as a residents' representative on approval (each still accepts through its own link)."""
    case = ctx.case
    if len(case.households) > ctx.settings.supervisors_min:
        return
    if any(x.stepped_down_at is None for x in case.supervisors):
        return
    for h in case.households:
        ctx.attach(
            "supervisors",
            Supervisor(
                case_id=case.id,
                household_id=h.id,
                household=h,
                proposed_at=ctx.now,
                proposed_by_id=case.applicant_id,
            ),
        )


def open_resident_acceptance(ctx: Context) -> None:
    """Each report of completion opens a new round of the residents' acceptance; opinions of
    earlier rounds stay as history and no longer count."""
    ctx.case.acceptance_round = (ctx.case.acceptance_round or 0) + 1


def issue_resident_acceptance(ctx: Context) -> None:
    """竣工居民验收意见表: every household's opinion of the round that let completion through,
    the representatives and the problems with their answers; verifiable by its QR code."""
    data = documents.resident_acceptance_context(ctx.case, ctx.now.date().isoformat())
    code = letters.unused_verify_code(ctx.session)
    data["verify_code"] = code
    data["verify_url"] = letters.verify_url(ctx.settings, code)
    _generated_document(ctx, "resident_acceptance", data, data)


def set_acceptance_deadline(ctx: Context) -> None:
    # After a correction asked at the window the acceptance clock resumes with what was left.
    ctx.case.submitted_at = ctx.now
    ctx.case.acceptance_due = clocks.resume(ctx, "acceptance", ctx.settings.acceptance_workdays)


def open_review_round(ctx: Context) -> None:
    # Time spent in correction does not count: after a correction asked in review, the review
    # clock resumes with the working days it had left (行政许可法第四十五条).
    ctx.case.accepted_at = ctx.now
    ctx.case.review_round = (ctx.case.review_round or 0) + 1
    ctx.case.review_due = clocks.resume(ctx, "review", ctx.settings.review_workdays)


def suspend_deadline(ctx: Context) -> None:
    clocks.suspend(ctx)


def extend_review_deadline(ctx: Context) -> None:
    clocks.extend_review(ctx)


def record_correction(ctx: Context) -> None:
    c = Correction(
        case_id=ctx.case.id,
        items=ctx.params["items"],
        requested_by_id=ctx.actor.id,
        requested_at=ctx.now,
        from_state=ctx.params["_from_state"],
    )
    ctx.attach("corrections", c)


def answer_correction(ctx: Context) -> None:
    for c in ctx.case.open_corrections:
        c.answered_at = ctx.now


def record_decision(ctx: Context) -> None:
    ctx.case.decided_at = ctx.now
    ctx.case.decision_reasons = ctx.params.get("reasons")


def record_construction(ctx: Context) -> None:
    ctx.case.contractor = ctx.params["contractor"].strip()
    ctx.case.construction_start = ctx.params["start_date"]
    ctx.case.planned_completion = ctx.params.get("planned_completion")


def record_installer(ctx: Context) -> None:
    ctx.case.installer_name = ctx.params["installer_name"].strip()
    ctx.case.installer_credit_code = normalise(ctx.params["installer_credit_code"])
    ctx.case.installer_licence = ctx.params["installer_licence"].strip()


def record_registration(ctx: Context) -> None:
    ctx.case.registration_number = ctx.params["registration_number"].strip()
    ctx.case.registered_on = ctx.now.date()


def record_maintenance(ctx: Context) -> None:
    p = ctx.params
    ctx.case.maintenance_company = p["maintenance_company"].strip()
    ctx.case.maintenance_credit_code = normalise(p["maintenance_credit_code"])
    ctx.case.maintenance_starts_on = p["maintenance_starts_on"]
    ctx.case.maintenance_ends_on = p["maintenance_ends_on"]


def record_completion(ctx: Context) -> None:
    ctx.case.completed_at = ctx.now


def register_elevator(ctx: Context) -> None:
    """The elevator joins the register; its first periodic inspection is due a year after the
    use registration (TSG T7001), counted from the day completion was reported."""
    registered = ctx.case.registered_on or ctx.now.date()
    ctx.session.add(
        Elevator(
            case_id=ctx.case.id,
            registration_number=ctx.case.registration_number or "",
            registered_on=registered,
            next_inspection_due=add_years(registered, 1),
            link_token=secrets.token_urlsafe(18),
        )
    )


def record_subsidy_application(ctx: Context) -> None:
    ctx.case.actual_cost_fen = ctx.params["actual_cost"]
    ctx.case.payee = ctx.params["payee"].strip()


def record_subsidy(ctx: Context) -> None:
    amount = ctx.params.get("amount")
    if amount is None:
        settings = ctx.settings
        amount = subsidy_cap(
            ctx.case.floors, ctx.case.actual_cost_fen or 0, settings.subsidy_tiers_fen
        )
    ctx.case.subsidy_fen = amount
    ctx.case.subsidy_reason = (ctx.params.get("reason") or "").strip() or None


def correct_subsidy(ctx: Context) -> None:
    """A corrected subsidy: the amount changes, and the new 财政补贴核定通知书 (issued after this
    effect) names the notice it corrects, the amount before and the reason. Kept in the
    transition's inputs, they are in its audit event too."""
    case, amount = ctx.case, ctx.params["amount"]
    previous = letters.latest_subsidy_notice(case)
    ctx.params["corrects"] = {
        "number": previous.number if previous is not None else "",
        "issued_on": previous.issued_at.date().isoformat() if previous is not None else "",
        "amount_fen": case.subsidy_fen or 0,
        "reason": ctx.params["reason"].strip(),
    }
    below_cap = amount < letters.approval_cap(case, ctx.settings)
    case.subsidy_fen = amount
    case.subsidy_reason = ctx.params["reason"].strip() if below_cap else None


def issue_funding_certificates(ctx: Context) -> None:
    """Each paying household's 出资证明 (DESIGN §3.3a), numbered and verifiable like a letter.

    Run again after a figure changed (a corrected subsidy), it issues a new one only to the
    households whose figures differ; the old code then verifies as replaced by the new number.
    Rendered on first download, as a letter's bytes are made after its transaction.
    """
    case = ctx.case
    bills = documents.household_bills(case, ctx.settings)
    latest: dict[int, Document] = {}
    for d in case.documents:
        if d.kind == documents.CERTIFICATE and d.household_id is not None:
            if d.household_id not in latest or d.id > latest[d.household_id].id:
                latest[d.household_id] = d
    today = ctx.now.date().isoformat()
    for h in case.households:
        b = bills[h.id]
        if b.share_fen <= 0:
            continue  # only a household that paid a share has something to certify
        data = documents.certificate_context(case, h, b, ctx.settings, today)
        old = latest.get(h.id)
        if old is not None and all(
            (old.data or {}).get(k) == data[k] for k in documents.CERTIFICATE_FIGURES
        ):
            continue
        serial = letters.allocate_serial(ctx.session, documents.CERTIFICATE, ctx.now.year)
        number = letters.format_number(ctx.settings, documents.CERTIFICATE, ctx.now.year, serial)
        code = letters.new_verify_code()
        data.update(
            number=number, verify_code=code, verify_url=letters.verify_url(ctx.settings, code)
        )
        if old is not None:
            data["replaces"] = old.number
        doc = Document(
            case_id=case.id,
            household_id=h.id,
            kind=documents.CERTIFICATE,
            source="generated",
            sha256=None,
            filename=f"出资证明-{h.room}.pdf",
            content_type="application/pdf",
            data=data,
            created_at=ctx.now,
            verify_code=code,
            number=number,
        )
        ctx.session.add(doc)
        case.documents.append(doc)


def record_payment(ctx: Context) -> None:
    ctx.case.subsidy_paid_on = ctx.params["paid_on"]
    ctx.case.payment_voucher = ctx.params["voucher"].strip()


def record_subsidy_return(ctx: Context) -> None:
    ctx.case.subsidy_reason = ctx.params.get("reasons")


def issue_letter(ctx: Context, kind: str) -> Letter:
    """Number and compose one letter in the issuing transaction; its PDF is made after commit.

    Rendering takes far longer than the transaction (about 100 ms a page) and would hold the
    counter's row lock all that time; the frozen context is the letter, and the bytes made
    from it once after commit (`services.transitions.AFTER_COMMIT`) are stored and never
    change.
    """
    year = ctx.now.year
    serial = letters.allocate_serial(ctx.session, kind, year)
    number = letters.format_number(ctx.settings, kind, year, serial)
    # 31^10 codes: a clash is left to the unique key (the transaction then fails as a conflict
    # and can be retried) rather than checked with a query on every letter.
    code = letters.new_verify_code()
    data = letters.letter_context(
        ctx.case,
        kind,
        settings=ctx.settings,
        number=number,
        verify_code=code,
        issued_on=ctx.now.date().isoformat(),
        params=ctx.params,
    )
    letter = Letter(
        case_id=ctx.case.id,
        kind=kind,
        year=year,
        serial=serial,
        number=number,
        verify_code=code,
        issued_at=ctx.now,
        addressee=data["addressee"],
        data=data,
        sha256=None,
        trigger=ctx.params.get("_trigger", ""),
    )
    ctx.attach("letters", letter)
    ctx.issued.append(letter)
    return letter
