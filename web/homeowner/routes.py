"""The homeowner's pages. Each view parses its form, calls one workflow service, renders.

What a page may offer comes from `describe_case()["actions"]`: a button exists only when the
machine lists the trigger for this owner now, and is disabled with its reasons while blocked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.core import Label

from forms.homeowner import (
    ApplicationForm,
    CostsForm,
    UploadForm,
    action_form,
    parse_roster,
)
from workflow import queries, services
from workflow.documents import KINDS
from workflow.errors import NotFound, WorkflowError
from workflow.machine import TRANSITION
from workflow.rules.money import yuan

from ..extensions import say
from .helpers import blocked_text, english, pick, qr_svg, rt, show_errors

bp = Blueprint("homeowner", __name__, url_prefix="/my")

CHOICE_LABELS = {"agree": "同意", "object": "反对", "abstain": "弃权"}
DOC_STATUS = {
    "preview": "提交时自动生成",
    "generated": "已生成",
    "uploaded": "已上传",
    "missing": "尚未上传",
}
EVENT_LABELS = {
    "case_created": "创建申请",
    "case_updated": "修改楼栋和住户名单",
    "costs_set": "设定费用分摊",
    "vote": "业主表决",
    "objection": "提出异议",
    "objection_resolved": "异议处理完毕",
    "upload": "上传材料",
    "opinion": "部门审查意见",
}
# Sections of the documents page: which uploads go with which next step of the owner.
PRE_SUBMISSION = {"start_consultation", "finish_consultation", "submit", "resubmit"}
LATER_UPLOADS = {
    "report_completion": ("acceptance_report", "equipment_registration"),
    "apply_subsidy": ("invoice",),
}
UPLOAD_LABELS = {
    "design_plan": "设计方案（含结构安全评估），PDF 文件",
    "application_form": "签字后的申请表扫描件（PDF）",
    "owners_agreement": "签字后的协议扫描件（PDF）",
    "publicity_report": "签字后的公示情况说明扫描件（PDF）",
    "notice_photo": "公示张贴照片（JPG 或 PNG）",
    "acceptance_report": "竣工验收报告（PDF 或照片）",
    "equipment_registration": "特种设备使用登记证（PDF 或照片）",
    "invoice": "发票（PDF 或照片）",
}


@bp.before_request
@login_required
def homeowners_only():
    if current_user.role != "homeowner":
        abort(403)


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"pick": pick, "yuan": yuan, "english": english()}


def _case(case_id: int) -> dict[str, Any]:
    return queries.describe_case(rt(), current_user.id, case_id)


def _triggers(case: dict[str, Any]) -> set[str]:
    return {a["trigger"] for a in case["actions"]}


def _actions(case: dict[str, Any]) -> list[dict[str, Any]]:
    """The buttons of the case page: one per action the machine offers this owner now."""
    out = []
    for a in case["actions"]:
        out.append(
            {
                "trigger": a["trigger"],
                "label": pick(a, "label"),
                "allowed": a["allowed"],
                "reasons": [blocked_text(b) for b in a["blocked_by"]],
                # Actions that take inputs or need a confirmation get their own page.
                "page": bool(a["fields"]) or a["confirm"],
                "danger": a["confirm"],
            }
        )
    return out


def _version(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# — my applications ————————————————————————————————————————————————————————


@bp.route("/")
def cases():
    listing = queries.list_cases(rt(), current_user.id, per_page=50)
    return render_template("homeowner/cases.html", cases=listing["items"])


# — the application: building and household roster ——————————————————————————————


def _roster_buttons(form: ApplicationForm) -> tuple[ApplicationForm, str | None]:
    """Add a row, remove a row, or fill the roster from pasted lines, without saving.

    Returns the form to show again and a note for the owner; (form, None) means "save"."""
    op = request.form.get("op", "save")
    data = {k: form[k].data for k in ("community", "address", "building", "unit", "floors")}
    data["version"] = form.version.data
    rows = form.households.data
    if op == "add_row":
        rows.append({})
        note = _("已添加一行，请填写。")
    elif op.startswith("remove_row:"):
        try:
            index = int(op.split(":", 1)[1])
            removed = rows.pop(index)
        except (ValueError, IndexError):
            return form, None
        note = _("已删除第 %(n)s 行（%(room)s）。", n=index + 1, room=removed.get("room") or "空行")
    elif op == "paste":
        pasted = parse_roster(form.paste.data)
        if not pasted:
            form.paste.errors = [
                _("没有识别出住户。请每行一户，依次为：室号、楼层、面积、姓名、手机号。")
            ]
            return form, ""
        rows = pasted
        note = _("已从粘贴内容填入 %(n)s 户，请核对后保存。", n=len(pasted))
    else:
        return form, None
    data["households"] = rows
    return ApplicationForm(formdata=None, data=data), note


def _application_page(form: ApplicationForm, template_args: dict[str, Any]):
    """Save the application (create or update) or handle a roster button."""
    summary: list[tuple[str | None, str]] = []
    note = None
    if request.method == "POST":
        form, note = _roster_buttons(form)
        if note is None:
            data = form.application()
            # Blank rows are dropped before saving; show the rows as sent so that
            # "第 3 行" in a message is the third row on the page.
            if len(data["households"]) != len(form.households.entries):
                keep = {k: form[k].data for k in ("community", "address", "building", "unit")}
                keep.update(floors=form.floors.data, version=form.version.data)
                keep["households"] = data["households"] or [{}]
                form = ApplicationForm(formdata=None, data=keep)
            try:
                case_id = template_args["save"](data, _version(form.version.data))
            except NotFound:
                raise
            except WorkflowError as exc:
                summary = show_errors(form, exc.messages)
            else:
                flash(_("已保存。"), "success")
                return redirect(url_for(".case", case_id=case_id))
    status = 400 if summary else 200
    return render_template(
        "homeowner/application.html",
        form=form,
        summary=summary,
        note=note,
        **{k: v for k, v in template_args.items() if k != "save"},
    ), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    def save(data: dict[str, Any], _version: int | None) -> int:
        return services.create_case(rt(), current_user.id, data)

    return _application_page(ApplicationForm(), {"save": save, "case": None})


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int):
    case = _case(case_id)
    if request.method == "POST":
        form = ApplicationForm()
    else:
        form = ApplicationForm(
            formdata=None,
            data={
                **{k: case[k] for k in ("community", "address", "building", "unit")},
                "floors": str(case["floors"]),
                "version": str(case["version"]),
                "households": [
                    {
                        "room": h["room"],
                        "floor": str(h["floor"]),
                        "area": h["area"],
                        "owner_name": h["owner_name"],
                        "phone": h["phone"] or "",
                    }
                    for h in case["households"]
                ],
            },
        )

    def save(data: dict[str, Any], version: int | None) -> int:
        services.update_case(rt(), current_user.id, case_id, data, expected_version=version)
        return case_id

    return _application_page(form, {"save": save, "case": case})


# — the case page ——————————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    c = _case(case_id)
    return render_template("homeowner/case.html", c=c, actions=_actions(c))


@bp.route("/cases/<int:case_id>/act/<trigger>", methods=["GET", "POST"])
def act(case_id: int, trigger: str):
    """Fire one trigger; actions with inputs or a confirmation show their form first."""
    c = _case(case_id)
    action = next((a for a in c["actions"] if a["trigger"] == trigger), None)
    if trigger not in TRANSITION:
        abort(404)
    fields = action["fields"] if action else []
    form = action_form(fields, request.form if request.method == "POST" else None)
    summary: list[tuple[str | None, str]] = []
    if request.method == "POST":
        params = {f["name"]: request.form.get(f["name"], "") for f in fields}
        try:
            services.fire(
                rt(),
                current_user.id,
                case_id,
                trigger,
                params,
                expected_version=_version(request.form.get("version")),
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            if not action or not (fields or action["confirm"]):
                for m in exc.messages:
                    flash(say(m), "error")
                return redirect(url_for(".case", case_id=case_id))
            summary = show_errors(form, exc.messages)
        else:
            t = TRANSITION[trigger]
            label = t.label_en if english() else t.label
            flash(_("已完成：%(action)s。", action=label), "success")
            return redirect(url_for(".case", case_id=case_id))
    elif action is None:
        flash(_("当前不能执行“%(action)s”。", action=TRANSITION[trigger].label), "error")
        return redirect(url_for(".case", case_id=case_id))
    if not form.version.data:
        form.version.data = str(c["version"])
    view = _actions({"actions": [action]})[0] if action else None
    invoice = None
    if trigger == "apply_subsidy":
        invoice = c["other_documents"].get("invoice")
    return render_template(
        "homeowner/act.html",
        c=c,
        action=view,
        trigger=trigger,
        form=form,
        summary=summary,
        invoice=invoice,
        upload=_upload_form("invoice", "act"),
    ), (400 if summary else 200)


# — consent consultation ————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>/consent")
def consent(case_id: int):
    c = _case(case_id)
    links = []
    for link in services.signing_links(rt(), current_user.id, case_id):
        url = url_for("public.sign", token=link["token"], _external=True)
        text = _(
            "%(name)s您好：%(address)s加装电梯意见征询，请打开链接表决签字：%(url)s",
            name=link["owner_name"],
            address=f"{c['community']}{c['building']}{c['unit']}",
            url=url,
        )
        links.append(
            {
                **link,
                "url": url,
                "qr": qr_svg(url, scale=3),
                "sms": f"sms:{link['phone']}?body={_quote(text)}" if link["phone"] else None,
                "choice": CHOICE_LABELS.get(link["voted"]) if link["voted"] else None,
            }
        )
    q = c["quorum"]
    ratios = [
        (_("参与表决的专有面积"), q["participation_area"], q["thresholds"]["participation"]),
        (_("参与表决的业主人数"), q["participation_count"], q["thresholds"]["participation"]),
        (_("同意的专有面积（占参与表决）"), q["agree_area"], q["thresholds"]["agreement"]),
        (_("同意的业主人数（占参与表决）"), q["agree_count"], q["thresholds"]["agreement"]),
    ]
    return render_template(
        "homeowner/consent.html",
        c=c,
        links=links,
        ratios=ratios,
        missing=q["missing_en"] if english() else q["missing"],
        voting_open="finish_consultation" in _triggers(c),
        actions=[a for a in _actions(c) if a["trigger"] == "finish_consultation"],
        choice_labels=CHOICE_LABELS,
    )


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# — cost sharing ——————————————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>/costs", methods=["GET", "POST"])
def costs(case_id: int):
    c = _case(case_id)
    editable = bool(_triggers(c) & {"start_consultation", "finish_consultation"})
    form = CostsForm()
    coefs = dict(c["costs"]["coefficients"])
    summary: list[tuple[str | None, str]] = []
    coef_errors: dict[str, str] = {}
    if request.method == "POST":
        coefs = {f: request.form.get(f"coefficient_{f}", "") for f in coefs}
        try:
            services.set_costs(rt(), current_user.id, case_id, form.estimated_cost.data, coefs)
        except NotFound:
            raise
        except WorkflowError as exc:
            for m in exc.messages:
                if m.code.startswith("coefficient_"):
                    floor = m.code.split("_", 1)[1]
                    coef_errors[floor] = say(m)
                    summary.append((f"coefficient_{floor}", say(m)))
                else:
                    summary += show_errors(form, (m,))
        else:
            flash(_("费用分摊已保存。"), "success")
            return redirect(url_for(".costs", case_id=case_id))
    else:
        fen = c["costs"]["estimated_cost_fen"]
        form.estimated_cost.data = yuan(fen).replace(",", "") if fen else ""
    shares = c["costs"]["shares_fen"]
    rows = [
        {
            "room": h["room"],
            "floor": h["floor"],
            "area": h["area"],
            "owner_name": h["owner_name"],
            "coefficient": c["costs"]["coefficients"].get(str(h["floor"]), "0"),
            "share": yuan(shares.get(str(h["id"]), 0)),
        }
        for h in c["households"]
    ]
    return render_template(
        "homeowner/costs.html",
        c=c,
        form=form,
        editable=editable,
        coefs=coefs,
        coef_errors=coef_errors,
        rows=rows,
        total=yuan(sum(shares.values())),
        estimated=yuan(c["costs"]["estimated_cost_fen"] or 0),
        summary=summary,
    ), (400 if summary else 200)


# — public notice ————————————————————————————————————————————————————————————


def _publicity(c: dict[str, Any]) -> dict[str, Any]:
    p = dict(c["publicity"])
    if p["end"]:
        end = datetime.fromisoformat(p["end"])
        p["days_left"] = max((end.date() - rt().clock().date()).days, 0)
        p["start_text"] = p["start"].replace("T", " ")
        p["end_text"] = p["end"].replace("T", " ")
    return p


def _notice_page(case_id: int, upload_errors: dict[str, list[str]] | None = None):
    c = _case(case_id)
    open_uploads = bool(_triggers(c) & {"submit", "resubmit"})
    return render_template(
        "homeowner/notice.html",
        c=c,
        p=_publicity(c),
        photo=c["other_documents"].get("notice_photo"),
        upload=_upload_form("notice_photo", "notice") if open_uploads else None,
        upload_errors=(upload_errors or {}).get("notice_photo", []),
    ), (400 if upload_errors else 200)


@bp.route("/cases/<int:case_id>/notice")
def notice(case_id: int):
    return _notice_page(case_id)


@bp.route("/cases/<int:case_id>/notice/print")
def notice_print(case_id: int):
    c = _case(case_id)
    url = url_for("public.notice", key=c["reference"], _external=True)
    agree = sum(1 for h in c["households"] if h["vote"] and h["vote"]["choice"] == "agree")
    return render_template(
        "public/notice_print.html",
        c=c,
        p=_publicity(c),
        qr=qr_svg(url, scale=4),
        url=url,
        agree=agree,
        estimated=yuan(c["costs"]["estimated_cost_fen"] or 0),
    )


# — documents ——————————————————————————————————————————————————————————————


def _upload_form(kind: str, back: str) -> UploadForm:
    form = UploadForm(formdata=None)
    form.kind.data, form.next.data = kind, back
    form.file.id = f"file-{kind}"
    form.file.label = Label(form.file.id, _(UPLOAD_LABELS[kind]))
    return form


def _documents_page(case_id: int, upload_errors: dict[str, list[str]] | None = None):
    c = _case(case_id)
    triggers = _triggers(c)
    before = bool(triggers & PRE_SUBMISSION)
    four = []
    for kind, d in c["documents"].items():
        four.append(
            {
                **d,
                "name": pick(d, "label"),
                "status_text": _(DOC_STATUS.get(d["status"], d["status"])),
                "upload": _upload_form(kind, "documents") if before else None,
            }
        )
    later = [kind for t, kinds in LATER_UPLOADS.items() if t in triggers for kind in kinds]
    return render_template(
        "homeowner/documents.html",
        c=c,
        four=four,
        later=[
            (
                k,
                c["other_documents"].get(k),
                _upload_form(k, "documents"),
                pick(KINDS[k].__dict__, "label"),
            )
            for k in later
        ],
        others=c["other_documents"],
        upload_errors=upload_errors or {},
    ), (400 if upload_errors else 200)


@bp.route("/cases/<int:case_id>/documents")
def documents(case_id: int):
    return _documents_page(case_id)


@bp.route("/cases/<int:case_id>/upload", methods=["POST"])
def upload(case_id: int):
    form = UploadForm()
    kind = form.kind.data or ""
    back = form.next.data if form.next.data in ("documents", "notice", "act") else "documents"
    file = form.file.data
    errors: list[str] = []
    if not file or not file.filename:
        errors = [_("请先选择要上传的文件。")]
    else:
        try:
            services.upload_document(
                rt(), current_user.id, case_id, kind, file.read(), file.filename
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            errors = [say(m) for m in exc.messages]
    if not errors:
        flash(_("文件已上传。"), "success")
        if back == "act":
            return redirect(url_for(".act", case_id=case_id, trigger="apply_subsidy"))
        return redirect(url_for(f".{back}", case_id=case_id))
    if back == "notice":
        return _notice_page(case_id, {kind: errors})
    if back == "act":
        for e in errors:
            flash(e, "error")
        return redirect(url_for(".act", case_id=case_id, trigger="apply_subsidy"))
    return _documents_page(case_id, {kind: errors})


def _event_detail(e: dict[str, Any]) -> str:
    """The one fact an owner looks for in an event: which flat voted how, which paper came."""
    p = e.get("payload") or {}
    if e["kind"] == "vote" and p.get("room"):
        return _("%(room)s 室：%(choice)s", room=p["room"], choice=_(CHOICE_LABELS[p["choice"]]))
    if e["kind"] == "upload" and p.get("document") in KINDS:
        k = KINDS[p["document"]]
        return k.label_en if english() else k.label
    if e["kind"] == "objection" and p.get("room"):
        return _("%(room)s 室", room=p["room"])
    return ""


# — progress ————————————————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>/progress")
def progress(case_id: int):
    from flask import current_app

    c = _case(case_id)
    events = []
    for e in queries.history(rt(), current_user.id, case_id):
        t = TRANSITION.get(e["kind"])
        if t:
            what = t.label_en if english() else t.label
        else:
            what = _(EVENT_LABELS.get(e["kind"], e["kind"]))
        events.append(
            {**e, "what": what, "detail": _event_detail(e), "at_text": e["at"].replace("T", " ")}
        )
    events.reverse()  # newest first: what happened last is what the owner asks about
    can_download = "letters.download" in current_app.view_functions
    letters = [
        {
            **x,
            "url": url_for("letters.download", letter_id=x["id"]) if can_download else None,
            "issued_text": x["issued_at"].replace("T", " "),
        }
        for x in c["letters"]
    ]
    return render_template(
        "homeowner/progress.html", c=c, events=events, letters=letters, actions=_actions(c)
    )
