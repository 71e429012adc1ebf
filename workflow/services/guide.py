"""The public guide's texts and the list of policies in force, kept and changed by an admin."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from ..data import audit
from ..data.config import current_settings
from ..data.models import Setting, User
from ..data.runtime import Runtime
from ..errors import InvalidInput, NotFound, msg
from ..process.access import actor_of, require_role
from ..read import guide as guide_mod
from .files import check_file


def _value(session: Session, key: str, default: Any) -> Any:
    row = session.get(Setting, key)
    return default if row is None or row.value is None else row.value


def _store(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def guide_texts(rt: Runtime) -> dict[str, str]:
    with rt.db.session() as s:
        stored = _value(s, guide_mod.TEXTS_KEY, {})
    return {**guide_mod.DEFAULT_TEXTS, **guide_mod.clean_texts(stored)}


def policies(rt: Runtime) -> list[dict[str, Any]]:
    """The policies in force, newest first."""
    with rt.db.session() as s:
        rows = list(_value(s, guide_mod.POLICIES_KEY, []))
    return sorted(rows, key=lambda p: (p.get("issued_on") or "", p["id"]), reverse=True)


def public_guide(rt: Runtime, texts: Mapping[str, str] | None = None) -> guide_mod.Guide:
    """The guide as the public sees it; ``texts`` previews an admin's unsaved texts."""
    with rt.db.session() as s:
        settings = current_settings(s, rt.settings)
    shown = guide_texts(rt) if texts is None else {**guide_texts(rt), **texts}
    return guide_mod.build(settings, shown, policies(rt))


def calculator_settings(rt: Runtime):
    with rt.db.session() as s:
        return current_settings(s, rt.settings)


def save_guide_texts(rt: Runtime, actor: User | int, changes: Mapping[str, Any]) -> dict[str, str]:
    texts = guide_mod.clean_texts(changes)
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        merged = {**guide_mod.clean_texts(_value(s, guide_mod.TEXTS_KEY, {})), **texts}
        _store(s, guide_mod.TEXTS_KEY, merged)
        audit.append(
            s,
            kind="guide_texts_changed",
            at=rt.clock(),
            actor=admin,
            role="admin",
            payload={"keys": sorted(texts)},
        )
    return {**guide_mod.DEFAULT_TEXTS, **merged}


def add_policy(
    rt: Runtime,
    actor: User | int,
    *,
    title: str,
    issuer: str,
    issued_on: str,
    url: str = "",
    pdf: bytes | None = None,
) -> str:
    """A rule in force, with a link to where it is published or its PDF; returns its id."""
    title, issuer, url = (title or "").strip(), (issuer or "").strip(), (url or "").strip()
    errors = []
    if not title or len(title) > 200:
        errors.append(msg("title", "请填写文件名称（200 字以内）。", "Title is required."))
    if not issuer or len(issuer) > 100:
        errors.append(msg("issuer", "请填写发布机关（100 字以内）。", "Issuer is required."))
    try:
        day = date.fromisoformat((issued_on or "").strip()).isoformat()
    except ValueError:
        day = ""
        errors.append(msg("issued_on", "请填写发布日期，例如 2024-06-01。", "Date: YYYY-MM-DD."))
    if url and (urlsplit(url).scheme not in ("http", "https") or len(url) > 500):
        errors.append(msg("url", "链接应以 http:// 或 https:// 开头。", "Link: http(s) only."))
    if not url and not pdf:
        errors.append(msg("url", "请填写链接或上传 PDF 文件。", "Give a link or a PDF."))
    if errors:
        raise InvalidInput(*errors)
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        settings = current_settings(s, rt.settings)
        sha256 = ""
        if pdf:
            check_file(pdf, ("application/pdf",), settings.upload_max_bytes)
            sha256 = rt.store.record(s, pdf, "application/pdf", rt.clock())
        policy = {
            "id": uuid.uuid4().hex[:12],
            "title": title,
            "issuer": issuer,
            "issued_on": day,
            "url": url,
            "sha256": sha256,
        }
        _store(s, guide_mod.POLICIES_KEY, [*_value(s, guide_mod.POLICIES_KEY, []), policy])
        audit.append(
            s, kind="policy_added", at=rt.clock(), actor=admin, role="admin", payload=policy
        )
    return policy["id"]


def remove_policy(rt: Runtime, actor: User | int, policy_id: str) -> None:
    with rt.db.transaction() as s:
        admin = actor_of(s, actor)
        require_role(admin, "admin")
        rows = list(_value(s, guide_mod.POLICIES_KEY, []))
        keep = [p for p in rows if p["id"] != policy_id]
        if len(keep) == len(rows):
            raise NotFound(msg("policy", "没有这个政策文件。", "No such policy."))
        _store(s, guide_mod.POLICIES_KEY, keep)
        audit.append(
            s,
            kind="policy_removed",
            at=rt.clock(),
            actor=admin,
            role="admin",
            payload={"id": policy_id},
        )


def policy_pdf(rt: Runtime, policy_id: str) -> tuple[dict[str, Any], bytes]:
    """An uploaded policy's PDF, public like the list."""
    policy = next((p for p in policies(rt) if p["id"] == policy_id and p.get("sha256")), None)
    if policy is None:
        raise NotFound(msg("policy", "没有这个政策文件。", "No such policy."))
    return policy, rt.store.read(policy["sha256"])
