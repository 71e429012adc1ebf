"""Stored files still hold the bytes they were recorded with.

A file is stored under its SHA-256; the database keeps that hash beside the letter, document,
signature or scan that refers to it. `file_problems` re-hashes every stored file and names the
case and record of each one that is missing or altered, so an operator knows which letter to
reissue or which upload to ask for again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Case, Document, Letter, Mediation, Objection, StoredFile, Vote
from .storage import BlobStore


@dataclass(frozen=True)
class FileProblem:
    sha256: str
    reason: str  # "missing" or "altered"
    where: tuple[str, ...]  # e.g. "case JT-2026-0001 letter 枣阳住建梯准〔2026〕7号"


def _references(s: Session) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = {}
    reference = {i: r for i, r in s.execute(select(Case.id, Case.reference))}

    def add(sha: str | None, case_id: int, what: str) -> None:
        if sha:
            refs.setdefault(sha, []).append(f"case {reference.get(case_id, case_id)} {what}")

    for sha, case_id, number, kind in s.execute(
        select(Letter.sha256, Letter.case_id, Letter.number, Letter.kind)
    ):
        add(sha, case_id, f"letter {number} ({kind})")
    for sha, case_id, doc_id, kind, name in s.execute(
        select(Document.sha256, Document.case_id, Document.id, Document.kind, Document.filename)
    ):
        add(sha, case_id, f"document {doc_id} {kind} «{name}»")
    for img, scan, case_id, vote_id in s.execute(
        select(Vote.signature_image, Vote.scan_sha256, Vote.case_id, Vote.id)
    ):
        add(img, case_id, f"vote {vote_id} signature")
        add(scan, case_id, f"vote {vote_id} scan")
    for scan, case_id, obj_id in s.execute(
        select(Objection.scan_sha256, Objection.case_id, Objection.id)
    ):
        add(scan, case_id, f"objection {obj_id} scan")
    for scan, case_id, mediation_id in s.execute(
        select(Mediation.withdrawal_scan, Mediation.case_id, Mediation.id)
    ):
        add(scan, case_id, f"mediation {mediation_id} signed withdrawal")
    return refs


def file_problems(s: Session, store: BlobStore) -> tuple[int, list[FileProblem]]:
    """(files checked, the ones whose bytes are missing or no longer match their SHA-256)."""
    refs = _references(s)
    shas = set(s.scalars(select(StoredFile.sha256))) | set(refs)
    problems = []
    for sha in sorted(shas):
        if store.matches(sha):
            continue
        reason = "missing" if not store.path(sha).exists() else "altered"
        problems.append(FileProblem(sha, reason, tuple(refs.get(sha, ["unreferenced"]))))
    return len(shas), problems
