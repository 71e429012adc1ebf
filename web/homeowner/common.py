"""What every homeowner page shares: the blueprint, who may use it, the case as the owner sees
it and the buttons the machine offers."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.core import Label

from forms.homeowner import (
    UploadForm,
)
from workflow.read import cases as queries
from workflow.rules.money import yuan

from .helpers import blocked_text, english, pick, rt

bp = Blueprint("homeowner", __name__, url_prefix="/my")

CHOICE_LABELS = {"agree": _l("同意"), "object": _l("反对"), "abstain": _l("弃权")}
OPINION_LABELS = {
    "satisfied": _l("满意"),
    "basically_satisfied": _l("基本满意"),
    "dissatisfied": _l("不满意"),
}
REPLY_LABELS = {"answer": _l("申请人答复"), "kept_open": _l("仍未解决"), "solved": _l("确认已解决")}
UPLOAD_LABELS = {
    "design_plan": _l("设计方案（含结构安全评估），PDF 文件"),
    "application_form": _l("签字后的申请表扫描件（PDF）"),
    "owners_agreement": _l("签字后的协议扫描件（PDF）"),
    "publicity_report": _l("签字后的公示情况说明扫描件（PDF）"),
    "notice_photo": _l("公示张贴照片（JPG 或 PNG）"),
    "acceptance_report": _l("竣工验收报告（PDF 或照片）"),
    "equipment_registration": _l("特种设备使用登记证（PDF 或照片）"),
    "invoice": _l("发票（PDF 或照片）"),
    "installation_notice": _l("特种设备安装改造修理告知回执（市场监管部门出具，PDF 或照片）"),
    "inspection_report": _l("特种设备监督检验报告（检验机构出具，PDF 或照片）"),
}
# What exactly each upload must show, under its label.
UPLOAD_HINTS = {
    "design_plan": _l(
        "一个 PDF 文件，包括：加装电梯的总平面位置图、平面图和立面图，"
        "以及设计单位出具的结构安全评估。"
    ),
    "notice_photo": _l("一张照片（JPG 或 PNG）：张贴在单元门口的公示，能看清公示内容和张贴位置。"),
    "acceptance_report": _l("电梯竣工验收报告，PDF 文件或清晰的照片。"),
    "equipment_registration": _l("市场监管部门发的特种设备使用登记证，PDF 文件或清晰的照片。"),
    "invoice": _l("电梯工程的发票，PDF 文件或清晰的照片；金额与实际造价一致。"),
    "installation_notice": _l(
        "安装单位向市场监管部门办理特种设备安装改造修理告知后取得的回执，开工前上传。"
    ),
    "inspection_report": _l("特种设备检验机构出具的监督检验报告，PDF 文件或清晰的照片。"),
}
# The uploads a forward step waits for, shown on the case page beside its button.
UPLOADS_FOR = {
    "submit": ("design_plan", "notice_photo"),
    "start_construction": ("installation_notice",),
    "report_completion": ("inspection_report", "equipment_registration"),
    "apply_subsidy": ("invoice",),
}


@bp.before_request
@login_required
def homeowners_only():
    if current_user.role != "homeowner":
        abort(403)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"pick": pick, "yuan": yuan, "english": english()}


def case_of(case_id: int) -> dict[str, Any]:
    return queries.describe_case(rt(), current_user.id, case_id)


def triggers_of(case: dict[str, Any]) -> set[str]:
    return {a["trigger"] for a in case["actions"]}


# Where the owner goes to clear a blocking reason, by the reason's code.
FIX_PAGES = (
    (("document_", "correction_"), "homeowner.documents"),
    (("quorum",), "homeowner.consent"),
    (("objection", "publicity"), "homeowner.notice"),
    (("missing_", "floors", "roster", "household"), "homeowner.edit"),
)


def _fix_url(case_id: int, code: str) -> str | None:
    for prefixes, endpoint in FIX_PAGES:
        if code.startswith(prefixes):
            return url_for(endpoint, case_id=case_id)
    return None


def actions_of(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of the case page: one per action the machine offers this owner now."""
    out = []
    for a in case["actions"]:
        out.append(
            {
                "trigger": a["trigger"],
                "label": pick(a, "label"),
                "allowed": a["allowed"],
                "reasons": _once(
                    {"text": blocked_text(b), "url": _fix_url(case["id"], b["code"])}
                    for b in a["blocked_by"]
                ),
                # Actions that take inputs or need a confirmation get their own page.
                "page": bool(a["fields"]) or a["confirm"],
                "danger": a["confirm"],
            }
        )
    return out


def _once(reasons: Any) -> list[dict[str, Any]]:
    """Each missing item named once, even when two guards find it."""
    seen: dict[str, dict[str, Any]] = {}
    for r in reasons:
        seen.setdefault(r["text"], r)
    return list(seen.values())


def uploads_needed(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The files the owner's next step waits for and has not uploaded yet."""
    have = {k for k, d in case["documents"].items() if d["status"] != "missing"}
    have |= set(case["other_documents"])
    kinds = [k for t in triggers_of(case) for k in UPLOADS_FOR.get(t, ())]
    return [
        {
            "kind": k,
            "id": f"up-{k}",
            "label": str(UPLOAD_LABELS[k]),
            "hint": str(UPLOAD_HINTS[k]),
            "optional": k == "notice_photo",
        }
        for k in kinds
        if k not in have
    ]


def version_of(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def upload_form(kind: str, back: str) -> UploadForm:
    form = UploadForm(formdata=None)
    form.kind.data, form.next.data = kind, back
    form.file.id = f"file-{kind}"
    form.file.label = Label(form.file.id, str(UPLOAD_LABELS[kind]))
    form.file.description = str(UPLOAD_HINTS.get(kind, ""))
    return form


def next_step(case: dict[str, Any]) -> str:
    """What the owner does now, in plain words, true to the state and to what is blocked:
    the forward step when it is open, otherwise the state's own hint."""
    forward = next((a for a in actions_of(case) if not a["danger"]), None)
    if forward and forward["allowed"]:
        uploads = uploads_needed(case)
        if any(not u["optional"] for u in uploads):
            return _("上传下面的材料，然后“%(action)s”。", action=forward["label"])
        return _("现在可以“%(action)s”。", action=forward["label"])
    return pick(case, "hint")


def done(what: str, case_id: int) -> None:
    """One style for every confirmation: what happened, then what comes next."""
    text = _("已完成：%(what)s。", what=what)
    hint = next_step(case_of(case_id))
    if hint:
        text += _("下一步：%(hint)s", hint=hint)
    flash(text, "success")


def with_inline_forms(case: dict[str, Any], actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each open forward step that takes inputs its form, shown where its button is:
    one tap instead of a page to open and a button to confirm. Steps that need a
    confirmation (撤回) keep their own page."""
    from forms.homeowner import action_form

    for a in actions:
        a["form"] = None
        if a["allowed"] and a["page"] and not a["danger"]:
            fields = next(x["fields"] for x in case["actions"] if x["trigger"] == a["trigger"])
            a["form"] = action_form(fields, None, english())
            a["form"].version.data = str(case["version"])
    return actions
