"""Uploads: checked by content, never by name, then stored by SHA-256."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import inputs
from ..data import audit, privacy
from ..data.config import current_settings
from ..data.models import Case, Document, Household, User
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge, UnsupportedFile, msg
from ..papers import documents
from ..process.access import actor_of, case_for
from ..process.states import STATE

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


def check_file(
    data: bytes, allowed: tuple[str, ...], max_bytes: int, max_pages: int = 300
) -> tuple[str, bytes]:
    """(content type, the bytes to store): checked by content, never by name.

    PDFs must open with pypdf, unencrypted, within the page cap and without JavaScript;
    images are decoded and re-encoded with Pillow, so whatever rode along after the picture
    (HTML after PNG magic bytes, metadata) is not stored."""
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
        check_pdf(data, max_pages)
        return kind, data
    return kind, reencode_image(data, kind)


PDF_BROKEN = msg(
    "pdf_broken", "PDF 文件已损坏或无法打开。", "The PDF is damaged or cannot be opened."
)
# Names that make a PDF run code or other programs when opened (ISO 32000-1 §12.6).
_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


def _has_active_content(reader: Any) -> bool:
    root = reader.trailer["/Root"]
    if any(k in root for k in ("/OpenAction", "/AA")):
        action = root.get("/OpenAction")
        if "/AA" in root:
            return True
        if action is not None and "/JS" in str(action.get_object()):
            return True
    names = root.get("/Names")
    if names is not None and any(
        k in names.get_object() for k in ("/JavaScript", "/EmbeddedFiles")
    ):
        return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annot in page.get("/Annots") or []:
            a = annot.get_object()
            action = a.get("/A")
            if "/AA" in a or (
                action is not None
                and "/S" in action.get_object()
                and action.get_object()["/S"] in ("/JavaScript", "/Launch")
            ):
                return True
    return False


def check_pdf(data: bytes, max_pages: int) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnsupportedFile(
                msg(
                    "pdf_encrypted",
                    "PDF 文件已加密（设有密码），请上传未加密的文件。",
                    "The PDF is encrypted; upload it without a password.",
                )
            )
        pages = len(reader.pages)
        if pages < 1:
            raise UnsupportedFile(PDF_BROKEN)
        if pages > max_pages:
            raise UnsupportedFile(
                msg(
                    "pdf_pages",
                    f"PDF 共 {pages} 页，超过 {max_pages} 页的上限。",
                    f"The PDF has {pages} pages; at most {max_pages} are accepted.",
                )
            )
        active = _ACTIVE.search(data) is not None or _has_active_content(reader)
    except UnsupportedFile:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        raise UnsupportedFile(PDF_BROKEN) from exc
    if active:
        raise UnsupportedFile(
            msg(
                "pdf_active",
                "PDF 文件含有脚本或嵌入内容，不能接受；请另存为普通 PDF 后再上传。",
                "The PDF carries scripts or embedded content; save it as a plain PDF.",
            )
        )


MAX_PIXELS = 50_000_000  # a phone photo is 12–50 MP; more is a decompression bomb


def reencode_image(data: bytes, kind: str) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise UnsupportedFile(
                    msg("image_size", "图片像素过大。", "The picture has too many pixels.")
                )
            img.load()
            out = io.BytesIO()
            if kind == "image/png":
                img.save(out, format="PNG", optimize=False)
            else:
                img.convert("RGB").save(out, format="JPEG", quality=90)
            return out.getvalue()
    except UnsupportedFile:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on broken files
        raise UnsupportedFile(
            msg("image_broken", "图片已损坏或无法打开。", "The picture is damaged.")
        ) from exc


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
        if not STATE[case.state].tags & APPLICANT_TAGS.get(kind, set()):
            raise Conflict(
                msg(
                    "state", f"当前阶段不能上传{k.label}。", f"{k.label_en} cannot be uploaded now."
                )
            )
        settings = current_settings(s, rt.settings)
        content_type, data = check_file(
            data, k.content_types, settings.upload_max_bytes, settings.upload_max_pages
        )
        now = rt.clock()
        sha = rt.store.record(s, data, content_type, now)
        doc = Document(
            case_id=case.id,
            kind=kind,
            source="uploaded",
            sha256=sha,
            # Stored under its SHA-256; the given name is only a cleaned label to display.
            filename=inputs.display_filename(filename or k.label, max_length=200),
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
        privacy.record_seen(s, settings, "upload", now, user=user, case_id=case.id)
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
        content_type, data = check_file(
            data, documents.PDF_OR_IMAGE, settings.upload_max_bytes, settings.upload_max_pages
        )
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
        mediator = user.role == "mediator" and doc is not None and doc.kind == "mediation_record"
        if case is None or not (case.applicant_id == user.id or user.is_staff or mediator):
            raise NotFound(msg("document_not_found", "未找到该材料。", "No such document."))
        meta = (doc.id, doc.case_id, doc.kind, doc.filename, doc.content_type)
        sha, data = doc.sha256, doc.data
    return _with_bytes(rt, meta, sha, data)


def household_certificate(rt: Runtime, token: str) -> DocumentFile:
    """The household's current 出资证明, through its own link (DESIGN §3.3a)."""
    if not token or len(token) > 64:
        raise NotFound(msg("link", "签字链接无效。", "This signing link is not valid."))
    with rt.db.session() as s:
        h = s.scalar(select(Household).where(Household.signing_token == token))
        if h is None:
            raise NotFound(msg("link", "签字链接无效。", "This signing link is not valid."))
        doc = s.scalar(
            select(Document)
            .where(Document.household_id == h.id, Document.kind == documents.CERTIFICATE)
            .order_by(Document.id.desc())
            .limit(1)
        )
        if doc is None:
            raise NotFound(
                msg("certificate", "补贴核准后才出具出资证明。", "No funding certificate yet.")
            )
        meta = (doc.id, doc.case_id, doc.kind, doc.filename, doc.content_type)
        sha, data = doc.sha256, doc.data
    return _with_bytes(rt, meta, sha, data)


def _with_bytes(rt: Runtime, meta: tuple, sha: str | None, data: Any) -> DocumentFile:
    document_id = meta[0]
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
