"""Acting for others: an agent (代办人) files and drives an application for the unit, and a
family member signs for an owner who authorised them (委托).

Both are recorded facts with their paper: the agent's authorisation by the unit, the owner's
signed power of attorney (授权委托书, 民法典第一百六十五条: written, naming the agent, the matter
and the term). Neither changes who counts: the owners vote, each household once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..data import audit
from ..data.config import current_settings
from ..data.models import User
from ..data.runtime import Runtime
from ..errors import Conflict, Forbidden, InvalidInput, msg
from ..papers import documents
from ..process.access import actor_of, case_for
from ..process.states import STATE
from ..rules.agents import AGENT_KINDS
from .files import check_file

# Who may sign for an owner under a power of attorney (委托): the one list the forms, the API's
# schema and the check below read.
RELATIONSHIPS = {
    "child": ("子女", "Child"),
    "spouse": ("配偶", "Spouse"),
    "parent": ("父母", "Parent"),
    "sibling": ("兄弟姐妹", "Sibling"),
    "other": ("其他近亲属", "Other close relative"),
}


@dataclass(frozen=True)
class Proxy:
    """Who signs for the owner, how related, and the signed 授权委托书 (PDF or photo)."""

    name: str
    relationship: str
    document: bytes


def stored_document(rt: Runtime, s: Any, data: bytes | None, field: str, label: str) -> str:
    """Check an authorisation's content and store it in the session's transaction."""
    if not data:
        raise InvalidInput(msg(field, f"请上传{label}。", "Upload the signed authorisation."))
    settings = current_settings(s, rt.settings)
    content_type, data = check_file(
        data, documents.PDF_OR_IMAGE, settings.upload_max_bytes, settings.upload_max_pages
    )
    return rt.store.record(s, data, content_type, rt.clock())


def check_proxy(proxy: Proxy, owner_name: str, document_given: bool | None = None) -> list:
    """Every reason a proxy signature is refused, at once."""
    problems = []
    if not (proxy.document if document_given is None else document_given):
        problems.append(
            msg("proxy_document", "请上传授权委托书。", "Upload the power of attorney.")
        )
    if not (proxy.name or "").strip():
        problems.append(msg("proxy_name", "请填写代签人姓名。", "Give the signer's name."))
    elif proxy.name.strip() == owner_name.strip():
        problems.append(
            msg("proxy_name", "业主本人签字无需委托。", "The owner signing needs no proxy.")
        )
    if proxy.relationship not in RELATIONSHIPS:
        problems.append(
            msg("proxy_relationship", "请选择与业主的关系。", "Choose the relationship.")
        )
    return problems


def record_agent(
    rt: Runtime,
    actor: User | int,
    case_id: int,
    *,
    kind: str,
    name: str,
    document: bytes | None,
) -> None:
    """The applicant records that it acts as the unit's agent, with the unit's authorisation."""
    problems = []
    if kind not in AGENT_KINDS:
        problems.append(msg("agent_kind", "请选择代办人类型。", "Choose the kind of agent."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        problems.append(msg("agent_name", "请填写代办人名称。", "Give the agent's name."))
    if problems:
        raise InvalidInput(*problems)
    with rt.db.transaction() as s:
        user = actor_of(s, actor)
        case = case_for(s, user, case_id)
        if case.applicant_id != user.id:
            raise Forbidden(
                msg("role", "只有申请人可以登记代办人。", "Only the applicant records an agent.")
            )
        if "editable" not in STATE[case.state].tags:
            raise Conflict(
                msg("state", "代办人须在发起意见征询前登记。", "Record the agent while drafting.")
            )
        sha = stored_document(rt, s, document, "agent_document", "代办授权书")
        case.agent_kind, case.agent_name, case.agent_document = kind, name, sha
        audit.append(
            s,
            kind="agent_recorded",
            at=rt.clock(),
            actor=user,
            role="applicant",
            case=case,
            payload={"kind": kind, "name": name, "document": sha},
        )
