"""Handing a closed case to the archive (城建档案): its package, made from what is stored, and the
cases closed in a year (`flask --app web archive export|verify`, the button on a closed case).

The package's format and its check live in `papers.archive`; here the case's files are gathered
as they are stored: letters and generated documents as issued (a letter whose PDF was never made
is rendered once from its frozen context first), uploads, and the audit chain of the case.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..data import audit, privacy
from ..data.config import current_settings
from ..data.models import Case, Document, Event, Letter, Objection, Vote
from ..data.runtime import Runtime
from ..errors import Conflict, NotFound, msg
from ..papers import archive, documents
from ..papers.letters import KINDS as LETTER_KINDS
from ..papers.render import letter_pdf
from ..process.access import actor_of, require_role
from ..process.states import STATE, states_tagged

NOT_CLOSED = msg(
    "case_not_closed",
    "案件尚未办结，办结后才能归档。",
    "The case is not closed yet; only a closed case goes to the archive.",
)


def export_case(
    rt: Runtime, actor: Any, reference: str, out: BinaryIO, reason: str = ""
) -> dict[str, Any]:
    """Write the closed case's package to `out`; returns its manifest (staff and admin only).
    The package holds every signature, power of attorney and scan unmasked: the download is
    recorded with its reason, like any staff view of such data (个人信息保护法第五十一条)."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        require_role(user, "clerk", "approver", "admin")
        case = s.scalar(select(Case).where(Case.reference == reference.strip()))
        if case is not None and "final" in STATE[case.state].tags:
            privacy.record_view(s, user, case, ["archive_package"], reason, rt.clock())
    return write_package(rt, reference, out)


def write_package(rt: Runtime, reference: str, out: BinaryIO) -> dict[str, Any]:
    with rt.db.session() as s:
        case = s.scalar(select(Case).where(Case.reference == reference.strip()))
        if case is None:
            raise NotFound(msg("case_not_found", "未找到该案件。", "No such case."))
        if "final" not in STATE[case.state].tags:
            raise Conflict(NOT_CLOSED)
        case_id = case.id
        metadata = _metadata(s, case)
        metadata["authority"] = current_settings(s, rt.settings).authority_name
        letter_ids = list(
            s.scalars(select(Letter.id).where(Letter.case_id == case_id).order_by(Letter.id))
        )
        events = [
            {**audit.hashed_fields(e), "hash": e.hash}
            for e in s.scalars(
                select(Event).where(Event.chain == f"case:{case_id}").order_by(Event.seq)
            )
        ]
    entries = list(_letters(rt, letter_ids)) + list(_documents_and_uploads(rt, case_id))
    entries.append(archive.Entry(archive.EVENTS, "audit", archive.events_file(events), "审计日志"))
    record = getattr(rt.renderer, "record", None)
    if record is not None:
        pdf = record({"kind": "audit_log", "case": metadata, "events": events})
        entries.append(archive.Entry("audit/events.pdf", "audit", pdf, "审计日志（可读版）"))
    metadata["exported_at"] = rt.clock().isoformat(timespec="seconds")
    return archive.write(out, metadata, entries)


def _metadata(s: Session, case: Case) -> dict[str, Any]:
    def day(value: datetime | None) -> str | None:
        return value.date().isoformat() if value else None

    # Closed on the day of its last move into a final state: later events (a staff view of the
    # package) are not the closing.
    last = s.scalar(
        select(func.max(Event.at)).where(
            Event.chain == f"case:{case.id}", Event.to_state.in_(states_tagged("final"))
        )
    )
    return {
        "reference": case.reference,
        "state": case.state,
        "state_label": STATE[case.state].label,
        "closed_on": day(last),
        "authority": "",
        "applicant": case.applicant.name or case.applicant.username,
        "agent": case.agent_name or "",
        "community": case.community,
        "address": case.address,
        "building": case.building,
        "unit": case.unit,
        "floors": case.floors,
        "households": [
            {"room": h.room, "owner": h.owner_name, "area": str(h.area)} for h in case.households
        ],
        "dates": {
            "created": day(case.created_at),
            "submitted": day(case.submitted_at),
            "accepted": day(case.accepted_at),
            "decided": day(case.decided_at),
            "completed": day(case.completed_at),
        },
        "decision": case.decision_reasons or "",
        "letters": [
            {
                "kind": x.kind,
                "title": LETTER_KINDS[x.kind][0],
                "number": x.number,
                "issued_on": x.issued_at.date().isoformat(),
                "verify_code": x.verify_code,
            }
            for x in sorted(case.letters, key=lambda x: x.id)
        ],  # fmt: skip
        "registration_number": case.registration_number or "",
        "installer": case.installer_name or "",
        "subsidy_fen": case.subsidy_fen,
    }


def _letters(rt: Runtime, letter_ids: list[int]) -> Iterator[archive.Entry]:
    for i, letter_id in enumerate(letter_ids, 1):
        data = letter_pdf(rt, letter_id)
        with rt.db.session() as s:
            x = s.get(Letter, letter_id)
            title, number = LETTER_KINDS[x.kind][0], x.number
        yield archive.Entry(f"letters/{i:02d}_{title}_{number}.pdf", "letter", data, title)


def _documents_and_uploads(rt: Runtime, case_id: int) -> Iterator[archive.Entry]:
    with rt.db.session() as s:
        docs = [
            (d.id, d.kind, d.source, d.sha256, d.content_type, d.data)
            for d in s.scalars(
                select(Document).where(Document.case_id == case_id).order_by(Document.id)
            )
        ]
        scans = [
            (f"votes/{v.household.room}_{what}", sha)
            for v in s.scalars(select(Vote).where(Vote.case_id == case_id).order_by(Vote.id))
            for what, sha in (("scan", v.scan_sha256), ("signature", v.signature_image),
                              ("power_of_attorney", v.proxy_document))
            if sha
        ] + [
            (f"objections/{o.id}_scan", o.scan_sha256)
            for o in s.scalars(select(Objection).where(Objection.case_id == case_id))
            if o.scan_sha256
        ]  # fmt: skip
        agent = s.get(Case, case_id).agent_document
    for i, (_doc_id, kind, source, sha, content_type, data) in enumerate(docs, 1):
        label = documents.KINDS[kind].label if kind in documents.KINDS else kind
        if sha is None:
            if rt.renderer is None or data is None:
                continue  # a preview never frozen: nothing was issued
            sha = _store_generated(rt, _doc_id, rt.renderer.document(data))
        ext = mimetypes.guess_extension(content_type or "") or ".bin"
        what = "document" if source == "generated" else "upload"
        yield archive.Entry(f"documents/{i:02d}_{label}{ext}", what, rt.store.read(sha), label)
    for name, sha in scans:
        yield archive.Entry(f"uploads/{name}{_ext(rt, sha)}", "upload", rt.store.read(sha))
    if agent:
        yield archive.Entry(
            f"uploads/agent_authorisation{_ext(rt, agent)}", "upload", rt.store.read(agent)
        )


def _ext(rt: Runtime, sha: str) -> str:
    head = rt.store.read(sha)[:8]
    return ".pdf" if head.startswith(b"%PDF") else ".png" if head.startswith(b"\x89PNG") else ".jpg"


def _store_generated(rt: Runtime, document_id: int, pdf: bytes) -> str:
    with rt.db.transaction() as s:
        doc = s.get(Document, document_id)
        if doc.sha256 is None:
            doc.sha256 = rt.store.record(s, pdf, "application/pdf", rt.clock())
        return doc.sha256


def closed_in_year(rt: Runtime, year: int) -> list[str]:
    """References of the cases that reached a final state in `year` (their last move into
    one)."""
    final = states_tagged("final")
    with rt.db.session() as s:
        last = (
            select(Event.case_id, func.max(Event.at).label("at"))
            .where(Event.case_id.is_not(None), Event.to_state.in_(final))
            .group_by(Event.case_id)
            .subquery()
        )
        rows = s.execute(
            select(Case.reference, last.c.at)
            .join(last, last.c.case_id == Case.id)
            .where(Case.state.in_(final))
            .order_by(Case.reference)
        )
        return [ref for ref, at in rows if at.year == year]
