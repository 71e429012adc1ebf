"""Uploads: checked by content, never by name, then stored by SHA-256."""

from __future__ import annotations

import io
from dataclasses import dataclass

from .. import audit, documents
from ..context import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge, UnsupportedFile, msg
from ..machine import STATE
from ..models import Case, Document, User
from .common import actor_of, case_for, current_settings

# Which states accept which uploads from the applicant: by the tags of the declaration.
APPLICANT_TAGS = {
    "design_plan": {"editable", "voting", "objections", "applicant"},
    "notice_photo": {"objections", "applicant"},
    "application_form": {"editable", "voting", "objections", "applicant"},
    "owners_agreement": {"editable", "voting", "objections", "applicant"},
    "publicity_report": {"editable", "voting", "objections", "applicant"},
    "acceptance_report": {"building"},
    "equipment_registration": {"building"},
    "invoice": {"subsidy"},
    "installation_notice": {"installer", "building"},
    "inspection_report": {"building"},
}


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are (of those we take)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def check_file(data: bytes, allowed: tuple[str, ...], max_bytes: int) -> str:
    if len(data) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        raise TooLarge(
            msg("too_large", f"文件超过 {mb} MB 的上限。", f"The file is larger than {mb} MB.")
        )
    if not data:
        raise InvalidInput(msg("empty", "文件是空的。", "The file is empty."))
    kind = sniff(data)
    if kind not in allowed:
        names = "、".join(
            {"application/pdf": "PDF", "image/jpeg": "JPEG 图片", "image/png": "PNG 图片"}[a]
            for a in allowed
        )
        raise UnsupportedFile(
            msg("file_type", f"文件格式不符，只接受 {names}。", "Wrong file type.")
        )
    if kind == "application/pdf":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            if len(PdfReader(io.BytesIO(data)).pages) < 1:
                raise PdfReadError("no pages")
        except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
            raise UnsupportedFile(
                msg(
                    "pdf_broken",
                    "PDF 文件已损坏或无法打开。",
                    "The PDF is damaged or cannot be opened.",
                )
            ) from exc
    return kind


def upload_document(
    rt: Runtime, actor: User | int, case_id: int, kind: str, data: bytes, filename: str = ""
) -> int:
    """Store a new version of one of the case's documents; returns the document id."""
    if kind not in documents.KINDS:
        raise InvalidInput(msg("kind", f"未知材料类型：{kind}", f"Unknown document kind: {kind}"))
    k = documents.KINDS[kind]
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if case.applicant_id != user.id:
            raise Forbidden(
                msg("role", "只有申请人可以上传材料。", "Only the applicant uploads documents.")
            )
        if not STATE[case.state].tags & APPLICANT_TAGS[kind]:
            raise Conflict(
                msg(
                    "state", f"当前阶段不能上传{k.label}。", f"{k.label_en} cannot be uploaded now."
                )
            )
        settings = current_settings(s, rt.settings)
        content_type = check_file(data, k.content_types, settings.upload_max_bytes)
        now = rt.clock()
        sha = rt.store.record(s, data, content_type, now)
        doc = Document(
            case_id=case.id,
            kind=kind,
            source="uploaded",
            sha256=sha,
            filename=(filename or k.label)[:200],
            content_type=content_type,
            uploaded_by_id=user.id,
            created_at=now,
        )
        s.add(doc)
        case.documents.append(doc)
        s.flush()
        audit.append(
            s,
            kind="upload",
            at=now,
            actor=user,
            role="applicant",
            case=case,
            payload={"document": kind, "sha256": sha, "size": len(data)},
        )
        return doc.id


def store_scan(rt: Runtime, actor: User | int, data: bytes) -> str:
    """A clerk's scan of a paper consent or objection; returns its SHA-256."""
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        if user.role != "clerk":
            raise Forbidden(
                msg("role", "只有窗口人员可以上传扫描件。", "Only clerks upload scans.")
            )
        settings = current_settings(s, rt.settings)
        content_type = check_file(data, documents.PDF_OR_IMAGE, settings.upload_max_bytes)
        return rt.store.record(s, data, content_type, rt.clock())


@dataclass(frozen=True)
class DocumentFile:
    id: int
    case_id: int
    kind: str
    filename: str
    content_type: str
    data: bytes


def document_file(rt: Runtime, actor: User | int, document_id: int) -> DocumentFile:
    """A stored document for the case's applicant and staff. A generated one frozen while no
    renderer was configured is rendered once from its frozen facts and stored."""
    with rt.db.session() as s:
        user = actor_of(s, actor)
        doc = s.get(Document, document_id)
        case = s.get(Case, doc.case_id) if doc is not None else None
        if case is None or not (case.applicant_id == user.id or user.is_staff):
            raise NotFound(msg("document_not_found", "未找到该材料。", "No such document."))
        meta = (doc.id, doc.case_id, doc.kind, doc.filename, doc.content_type)
        sha, data = doc.sha256, doc.data
    if sha is None:
        if rt.renderer is None or data is None:
            raise NotFound(
                msg("not_rendered", "该材料尚未生成 PDF。", "This document has no PDF yet.")
            )
        pdf = rt.renderer.document(data)
        with rt.db.transaction() as s:
            doc = s.get(Document, document_id)
            if doc.sha256 is None:
                doc.sha256 = rt.store.record(s, pdf, "application/pdf", rt.clock())
            sha = doc.sha256
    return DocumentFile(*meta, data=rt.store.read(sha))
