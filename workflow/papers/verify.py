"""Public verification of a letter or a generated document by the code printed beside its QR
code (DESIGN §7 `/verify/<code>`): one answer for the page and the API alike.

What anyone holding the paper may learn: that it exists, what it is, its number and date, to
whom it went with names masked to their first character, and whether the stored file is still
the one issued (its SHA-256).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..data.models import Case, Document, Letter
from . import documents
from .letters import CODE_LENGTH, KINDS

if TYPE_CHECKING:
    from ..data.runtime import Runtime


@dataclass(frozen=True)
class Verified:
    code: str
    what: str  # "letter" or "document"
    kind: str
    title: str
    number: str  # "" for a document
    issued_on: str
    reference: str
    addressee: str  # names masked
    authority: str
    sha256: str | None
    file: str  # "intact", "altered" or "not_rendered"
    # A document of one household (出资证明) replaced by a newer one: the newer one's number.
    replaced_by: str = ""

    @property
    def intact(self) -> bool:
        return self.file == "intact"


def mask_names(text: str, names: list[str]) -> str:
    """Names on a public page keep their first character only (陈桂兰 → 陈**)."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        if len(name) > 1:
            text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text


def normal_code(code: str | None) -> str | None:
    """The code as printed (upper case, no spaces), or None if it cannot be one of ours."""
    code = (code or "").strip().upper()
    return code if 0 < len(code) <= CODE_LENGTH else None


def verify(rt: Runtime, code: str | None) -> Verified | None:
    code = normal_code(code)
    if code is None:
        return None
    with rt.db.session() as s:
        letter = s.scalar(select(Letter).where(Letter.verify_code == code))
        if letter is None:
            return _document(rt, s, code)
        data = letter.data or {}
        applicant = (data.get("applicant") or {}).get("name", "")
        return Verified(
            code=code,
            what="letter",
            kind=letter.kind,
            title=KINDS[letter.kind][0],
            number=letter.number,
            issued_on=letter.issued_at.date().isoformat(),
            reference=s.get(Case, letter.case_id).reference,
            addressee=mask_names(letter.addressee, [*data.get("owners", []), applicant]),
            authority=data.get("authority", ""),
            sha256=letter.sha256,
            file=_file_state(rt, letter.sha256),
        )


def _document(rt: Runtime, s: Session, code: str) -> Verified | None:
    """A generated document (申请表, 协议, 公示情况说明 and the later ones), frozen when made."""
    doc = s.scalar(select(Document).where(Document.verify_code == code))
    if doc is None:
        return None
    data = doc.data or {}
    applicant = (data.get("applicant") or {}).get("name", "")
    addressee = mask_names(applicant, [applicant])
    replaced_by = ""
    if doc.household_id is not None:  # 出资证明: to the household's owner
        owner = ((data.get("households") or [{}])[0]).get("owner_name", "")
        addressee = f"{((data.get('households') or [{}])[0]).get('room', '')}室 " + mask_names(
            owner, [owner]
        )
        newer = s.scalar(
            select(Document.number)
            .where(
                Document.kind == doc.kind,
                Document.household_id == doc.household_id,
                Document.id > doc.id,
            )
            .order_by(Document.id.desc())
            .limit(1)
        )
        replaced_by = newer or ""
    return Verified(
        code=code,
        what="document",
        kind=doc.kind,
        title=documents.KINDS[doc.kind].label,
        number=doc.number or "",
        issued_on=doc.created_at.date().isoformat(),
        reference=s.get(Case, doc.case_id).reference,
        addressee=addressee,
        authority=data.get("authority", "") if doc.household_id is not None else "",
        sha256=doc.sha256,
        file=_file_state(rt, doc.sha256),
        replaced_by=replaced_by,
    )


def _file_state(rt: Runtime, sha256: str | None) -> str:
    if not sha256:
        return "not_rendered"
    return "intact" if rt.store.matches(sha256) else "altered"
