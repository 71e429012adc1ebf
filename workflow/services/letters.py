"""Issued letters: their files and public verification (DESIGN §5); batch printing is
`services.batches`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import jobs
from ..context import Runtime
from ..errors import NotFound, Unavailable, msg
from ..letters import KINDS
from ..models import Case, Document, Letter, User
from .common import actor_of

log = logging.getLogger(__name__)
LETTER_NOT_FOUND = msg("letter_not_found", "未找到该文书。", "No such letter.")


@dataclass(frozen=True)
class LetterFile:
    id: int
    case_id: int
    kind: str
    title: str
    number: str
    filename: str
    data: bytes


def may_read_letters(user: User, case: Case) -> bool:
    # Letters go to the case's applicant and to staff, no one else (not even an admin).
    return case.applicant_id == user.id or user.is_staff


def stored_letter_pdf(rt: Runtime, letter_id: int) -> bytes:
    """The stored bytes; a letter not rendered yet (its job has not run, or was lost, or no
    renderer was configured then) is rendered once now from its frozen context and stored."""
    with rt.db.session() as s:
        letter = s.get(Letter, letter_id)
        if letter.sha256:
            return rt.store.read(letter.sha256)
    if rt.renderer is None:
        raise NotFound(msg("not_rendered", "该文书尚未生成 PDF。", "This letter has no PDF yet."))
    try:
        # The same job the queue runs: a concurrent job or reader storing first wins.
        jobs.render_letter(rt, letter_id)
    except Exception as exc:
        log.exception("letter %s could not be rendered", letter_id)
        raise Unavailable(
            msg(
                "not_rendered",
                "该文书暂时无法生成 PDF，请联系系统管理员。",
                "This letter cannot be turned into a PDF right now; please tell the administrator.",
            )
        ) from exc
    with rt.db.session() as s:
        return rt.store.read(s.get(Letter, letter_id).sha256)


def render_once(rt: Runtime, letter_id: int) -> None:
    """Make and store a letter's PDF if it has none yet: a job taking an id, safe to run twice.
    A fault is logged and left for the first download to retry."""
    if rt.renderer is None:
        return
    try:
        stored_letter_pdf(rt, letter_id)
    except Exception:  # noqa: BLE001 - the letter stands; its PDF can be made later
        log.exception("letter %s could not be rendered after its transaction", letter_id)


def letter_context(rt: Runtime, actor: User | int, letter_id: int) -> dict[str, Any]:
    """The frozen context a letter was rendered from (for the HTML preview)."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        letter = s.get(Letter, letter_id)
        if letter is None or not may_read_letters(user, s.get(Case, letter.case_id)):
            raise NotFound(LETTER_NOT_FOUND)
        return dict(letter.data)


def letter_file(rt: Runtime, actor: User | int, letter_id: int) -> LetterFile:
    with rt.db.session() as s:
        user = actor_of(s, actor)
        letter = s.get(Letter, letter_id)
        if letter is None or not may_read_letters(user, s.get(Case, letter.case_id)):
            raise NotFound(LETTER_NOT_FOUND)
        meta = (letter.id, letter.case_id, letter.kind, KINDS[letter.kind][0], letter.number)
    data = stored_letter_pdf(rt, letter_id)
    return LetterFile(*meta, filename=f"{meta[3]}{meta[4]}.pdf", data=data)


def _mask_addressee(text: str, names: list[str]) -> str:
    """Names on a public page keep their first character only (陈桂兰 → 陈**)."""
    for name in sorted(set(names), key=len, reverse=True):
        if len(name) > 1:
            text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


def verification(rt: Runtime, code: str) -> dict[str, Any] | None:
    """What anyone holding the paper may learn: it exists, what it is, and whether the stored
    file is still the one issued (its SHA-256)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16:
        return None
    with rt.db.session() as s:
        letter = s.scalar(select(Letter).where(Letter.verify_code == code))
        if letter is None:
            return _document_verification(rt, s, code)
        case = s.get(Case, letter.case_id)
        return {
            "code": code,
            "what": "letter",
            "kind": letter.kind,
            "title": KINDS[letter.kind][0],
            "number": letter.number,
            "issued_on": letter.issued_at.date().isoformat(),
            "reference": case.reference,
            "addressee": _mask_addressee(letter.addressee, letter.data.get("owners", [])),
            "authority": letter.data.get("authority", ""),
            "sha256": letter.sha256,
            "intact": bool(letter.sha256) and rt.store.matches(letter.sha256),
        }


def _document_verification(rt: Runtime, s: Any, code: str) -> dict[str, Any] | None:
    """A generated application document (申请表, 协议, 公示情况说明) frozen at submission."""
    from .. import documents

    doc = s.scalar(select(Document).where(Document.verify_code == code))
    if doc is None:
        return None
    case = s.get(Case, doc.case_id)
    data = doc.data or {}
    applicant = (data.get("applicant") or {}).get("name", "")
    return {
        "code": code,
        "what": "document",
        "kind": doc.kind,
        "title": documents.KINDS[doc.kind].label,
        "number": "",
        "issued_on": doc.created_at.date().isoformat(),
        "reference": case.reference,
        "addressee": _mask_addressee(applicant, [applicant]),
        "authority": "",
        "sha256": doc.sha256,
        "intact": bool(doc.sha256) and rt.store.matches(doc.sha256),
    }
