"""What every homeowner page shares: the blueprint, who may use it, the case as the owner sees
it and the buttons the machine offers."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.core import Label

from forms.homeowner import (
    UploadForm,
)
from workflow import queries
from workflow.rules.money import yuan

from .helpers import blocked_text, english, pick, rt

bp = Blueprint("homeowner", __name__, url_prefix="/my")

CHOICE_LABELS = {"agree": _l("同意"), "object": _l("反对"), "abstain": _l("弃权")}
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
                "reasons": [
                    {"text": blocked_text(b), "url": _fix_url(case["id"], b["code"])}
                    for b in a["blocked_by"]
                ],
                # Actions that take inputs or need a confirmation get their own page.
                "page": bool(a["fields"]) or a["confirm"],
                "danger": a["confirm"],
            }
        )
    return out


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
    return form
