"""The homeowner's pages. Each view parses its form, calls one workflow service, renders.

What a page may offer comes from `describe_case()["actions"]`: a button exists only when the
machine lists the trigger for this owner now, and is disabled with its reasons while blocked.
"""

from __future__ import annotations

import io
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forms.homeowner import (
    AgentForm,
    OpinionAnswerForm,
    ProblemAnswerForm,
    SupervisorsForm,
    action_form,
)
from workflow import services
from workflow.errors import NotFound, WorkflowError
from workflow.papers.documents import KINDS
from workflow.process.machine import TRANSITION
from workflow.read import cases as queries

from ..extensions import say
from .common import (
    CHOICE_LABELS,
    OPINION_LABELS,
    REPLY_LABELS,
    actions_of,
    bp,
    case_of,
    done,
    next_step,
    upload_form,
    uploads_needed,
    version_of,
    with_inline_forms,
)
from .helpers import english, qr_svg, rt, show_errors

EVENT_LABELS = {
    "case_created": _l("创建申请"),
    "case_updated": _l("修改楼栋和住户名单"),
    "costs_set": _l("设定费用分摊"),
    "vote": _l("业主表决"),
    "objection": _l("提出异议"),
    "objection_resolved": _l("异议处理完毕"),
    "objection_withdrawn": _l("异议人撤回异议"),
    "mediation_referred": _l("异议提交调解"),
    "mediation_session": _l("调解"),
    "mediation_outcome": _l("调解结束，出具调解意见书"),
    "rating": _l("办理评价"),
    "rating_rectified": _l("差评整改答复"),
    "rating_followup": _l("整改回访评价"),
    "upload": _l("上传材料"),
    "opinion": _l("部门审查意见"),
    "consultation_restarted": _l("修改造价，重新发起意见征询"),
    "owners_marked": _l("窗口认定为同一业主"),
    "owner_separated": _l("窗口认定为单独业主"),
    "standing_vote": _l("窗口登记有效表决意见"),
    "management_unit_set": _l("填写电梯使用管理单位"),
    "inspection": _l("登记电梯定期检验"),
    "supervisors_named": _l("指定居民监督代表"),
    "supervisor_accepted": _l("居民监督代表接受"),
    "supervisor_declined": _l("住户谢绝担任居民监督代表"),
    "problem_reported": _l("居民反映施工问题"),
    "problem_answered": _l("答复居民反映的问题"),
    "problem_closed": _l("居民确认问题已解决"),
    "problem_kept_open": _l("居民表示问题仍未解决"),
    "acceptance_opinion": _l("居民提交验收意见"),
    "acceptance_answered": _l("答复居民的不满意意见"),
}
# Sections of the documents page: which uploads go with which next step of the owner.

# — my applications ————————————————————————————————————————————————————————


@bp.route("/")
def cases():
    listing = queries.list_cases(rt(), current_user.id, per_page=50)
    return render_template("homeowner/cases.html", cases=listing["items"])


# — the case page ——————————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>")
def case(case_id: int):
    """The case page does the next step in place: its inputs, its uploads, its button."""
    c = case_of(case_id)
    actions = with_inline_forms(c, actions_of(c))
    notice = None
    if c["publicity"]["start"]:
        url = url_for("public.notice", key=c["reference"], _external=True)
        notice = {"url": url, "qr": qr_svg(url, scale=3)}
    return render_template(
        "homeowner/case.html",
        c=c,
        actions=[a for a in actions if not a["danger"]],
        quiet_actions=[a for a in actions if a["danger"]],
        hint=next_step(c),
        uploads=uploads_needed(c),
        notice=notice,
        agent_form=AgentForm(formdata=None) if c["editable"] else None,
        supervisors_form=_supervisors_form(c),
        reply_labels=dict(REPLY_LABELS),
        opinion_labels=dict(OPINION_LABELS),
        ratings=services.ratings_of(rt(), current_user.id, case_id)["acts"],
    )


def _supervisors_form(c: dict[str, Any], form: SupervisorsForm | None = None) -> Any:
    if not c["acceptance"]["supervision_open"]:
        return None
    form = form or SupervisorsForm(formdata=None)
    form.rooms.choices = [
        SelectChoice(h["room"], f"{h['room']} 室 {h['owner_name']}") for h in c["households"]
    ]
    if form.rooms.data is None or not request.form:
        form.rooms.data = [s["room"] for s in c["supervisors"]]
        if not form.rooms.data and len(c["households"]) <= c["acceptance"]["supervisors_needed"]:
            # A unit no larger than the minimum names every household: ticked already.
            form.rooms.data = [h["room"] for h in c["households"]]
    return form


@bp.route("/cases/<int:case_id>/supervisors", methods=["POST"])
def supervisors(case_id: int):
    """The applicant names (or replaces) the unit's residents' representatives."""
    case_of(case_id)
    form = SupervisorsForm()
    return _residents_act(
        case_id,
        _("指定居民监督代表"),
        lambda: services.name_supervisors(
            rt(), current_user.id, case_id, list(form.rooms.data or []), form.reason.data
        ),
    )


def _residents_act(case_id: int, what: str, act, anchor: str = "residents"):
    """One of the applicant's acts on the residents' part of the case: done, or each reason
    it was refused, then back to that part of the case page."""
    try:
        act()
    except NotFound:
        raise
    except WorkflowError as exc:
        for m in exc.messages:
            flash(say(m), "error")
    else:
        done(what, case_id)
    return redirect(url_for(".case", case_id=case_id, _anchor=anchor))


@bp.route("/cases/<int:case_id>/problems/<int:problem_id>/answer", methods=["POST"])
def answer_problem(case_id: int, problem_id: int):
    case_of(case_id)
    form = ProblemAnswerForm()
    photos = [f.read() for f in (form.photos.data or []) if getattr(f, "filename", "")]
    return _residents_act(
        case_id,
        _("答复居民反映的问题"),
        lambda: services.answer_problem(
            rt(), current_user.id, case_id, problem_id, form.text.data or "", photos
        ),
        f"problem-{problem_id}",
    )


@bp.route("/cases/<int:case_id>/acceptance/answer", methods=["POST"])
def answer_opinion(case_id: int):
    case_of(case_id)
    form = OpinionAnswerForm()
    return _residents_act(
        case_id,
        _("答复居民的不满意意见"),
        lambda: services.answer_opinion(
            rt(), current_user.id, case_id, form.room.data or "", form.text.data or ""
        ),
    )


@bp.route("/cases/<int:case_id>/problems/<int:problem_id>/photos/<int:number>")
def problem_photo(case_id: int, problem_id: int, number: int):
    case_of(case_id)
    if services.residents.problem_case(rt(), problem_id) != case_id:
        abort(404)
    data = services.residents.photo(rt(), problem_id, number, actor=current_user.id)
    return send_file(io.BytesIO(data), mimetype="image/jpeg")


@bp.route("/cases/<int:case_id>/agent", methods=["POST"])
def agent(case_id: int):
    """The applicant records that it files as the unit's agent (代办人), with its authorisation."""
    case_of(case_id)  # the applicant's own case, or 404
    form = AgentForm()
    upload = form.agent_document.data
    try:
        services.record_agent(
            rt(),
            current_user.id,
            case_id,
            kind=form.agent_kind.data or "",
            name=form.agent_name.data or "",
            document=upload.read() if upload and getattr(upload, "filename", "") else None,
        )
    except NotFound:
        raise
    except WorkflowError as exc:
        for m in exc.messages:
            flash(say(m), "error")
    else:
        done(_("登记代办人"), case_id)
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/cases/<int:case_id>/uploads", methods=["POST"])
def uploads(case_id: int):
    """Several files at once, each under its kind's name (the case page's upload form)."""
    case_of(case_id)  # the applicant's own case, or 404 — even when no file was sent
    stored, errors = [], []
    for kind, file in request.files.items():
        if kind not in KINDS or not file or not file.filename:
            continue
        try:
            services.upload_document(
                rt(), current_user.id, case_id, kind, file.read(), file.filename
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            label = KINDS[kind].label_en if english() else KINDS[kind].label
            errors += [f"{label}：{say(m)}" for m in exc.messages]
        else:
            stored.append(KINDS[kind].label_en if english() else KINDS[kind].label)
    if not stored and not errors:
        errors = [_("请先选择要上传的文件。")]
    for e in errors:
        flash(e, "error")
    if stored:
        done(_("上传%(what)s", what="、".join(stored)), case_id)
    return redirect(url_for(".case", case_id=case_id))


@bp.route("/cases/<int:case_id>/act/<trigger>", methods=["GET", "POST"])
def act(case_id: int, trigger: str):
    """Fire one trigger; actions with inputs or a confirmation show their form first."""
    c = case_of(case_id)
    action = next((a for a in c["actions"] if a["trigger"] == trigger), None)
    if trigger not in TRANSITION:
        abort(404)
    fields = action["fields"] if action else []
    form = action_form(fields, request.form if request.method == "POST" else None, english())
    summary: list[tuple[str | None, str]] = []
    if request.method == "POST":
        params = {f["name"]: request.form.get(f["name"], "") for f in fields}
        try:
            services.fire(
                rt(),
                current_user.account,
                case_id,
                trigger,
                params,
                expected_version=version_of(request.form.get("version")),
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
            done(t.label_en if english() else t.label, case_id)
            if trigger == "start_consultation":  # the links to send are the next thing
                return redirect(url_for(".consent", case_id=case_id))
            return redirect(url_for(".case", case_id=case_id))
    elif action is None:
        flash(_("当前不能执行“%(action)s”。", action=TRANSITION[trigger].label), "error")
        return redirect(url_for(".case", case_id=case_id))
    if not form.version.data:
        form.version.data = str(c["version"])
    view = next((a for a in actions_of(c) if a["trigger"] == trigger), None)
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
        upload=upload_form("invoice", "act"),
    ), (400 if summary else 200)


def _event_detail(e: dict[str, Any]) -> str:
    """The one fact an owner looks for in an event: which flat voted how, which paper came."""
    p = e.get("payload") or {}
    if e["kind"] == "vote" and p.get("room"):
        return _("%(room)s 室：%(choice)s", room=p["room"], choice=str(CHOICE_LABELS[p["choice"]]))
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

    c = case_of(case_id)
    events = []
    for e in queries.history(rt(), current_user.id, case_id):
        t = TRANSITION.get(e["kind"])
        if t:
            what = t.label_en if english() else t.label
        else:
            what = str(EVENT_LABELS.get(e["kind"], e["kind"]))
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
        "homeowner/progress.html",
        c=c,
        events=events,
        letters=letters,
        actions=actions_of(c),
        hint=next_step(c),
    )
