"""Views of the staff workbench: parse the form, call one service, render."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import urlencode

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forms.privacy import RevealForm
from forms.staff import (
    ActionForm,
    CorrectionForm,
    ElevatorFilterForm,
    InspectionForm,
    LetterRangeForm,
    MediationOutcomeForm,
    MediationSessionForm,
    ObjectionForm,
    OpinionForm,
    OwnerRulingForm,
    PaperSupervisorForm,
    PaperVoteForm,
    RectifyForm,
    ReferForm,
)
from workflow import services
from workflow.errors import NotFound, WorkflowError
from workflow.process.machine import TRANSITION
from workflow.read import cases as queries
from workflow.read import elevators as elevator_register
from workflow.read import registers, residents
from workflow.read import workload as desk_loads
from workflow.services import archive

from ..extensions import in_reader_language
from ..privacy import reveal_reason
from . import bp, only, refused, rt
from . import handling as handlers_web
from .present import (
    case_page,
    filter_args,
    letter_rows,
    queue_args,
    queue_rows,
    quick_filters,
)

CLERK, APPROVER, MEDIATOR = "clerk", "approver", "mediator"


def _show_case(case_id: int, status: int = 200, **forms) -> tuple[str, int]:
    asked = request.method == "GET" and request.args.get("reveal") == "phones"
    # Full numbers only with a reason, asked once per case per session (个人信息保护法).
    reason = reveal_reason(case_id) or ""
    data = case_page(
        rt(), current_user, case_id, reveal=asked and bool(reason), reason=reason, **forms
    )
    ask = request.args.get("ask") if not reason else None
    data.update(
        ask_reason=asked and not reason,
        reveal_form=RevealForm(),
        viewing_reason=bool(reason),
        ask_photos=ask == "photos",
        ask_archive=ask == "archive",
        photos_form=RevealForm(prefix="photos"),
        archive_form=RevealForm(prefix="archive"),
    )
    return render_template("staff/case.html", **data), status


# --- queues -------------------------------------------------------------------------------


@bp.route("/")
@only(CLERK)
def queue():
    """Cases waiting on the window: 待受理, 待竣工核验 and consultations taking paper votes."""
    return _queue("window", _("窗口待办"), "staff.queue")


@bp.route("/review")
@only(APPROVER)
def review_queue():
    """Cases under joint review or subsidy review, for the approver's department."""
    return _queue("review", _("审查待办"), "staff.review_queue", mark_own_department=True)


def _queue(tag: str, title: str, endpoint: str, mark_own_department: bool = False):
    args = queue_args(request.args)
    result = queries.list_cases(rt(), current_user.id, tag=tag, **args)
    handling = desk_loads.queue_handling(rt(), current_user.id)
    queue_rows(result["items"], handling, current_user.username)
    filters = filter_args(args)
    problems = residents.open_problem_counts(rt(), [c["id"] for c in result["items"]])
    for c in result["items"]:
        c["open_problems"] = problems.get(c["id"], 0)
    if mark_own_department:
        ids = [c["id"] for c in result["items"]]
        mine = registers.awaiting_department(rt(), current_user.id, ids)
        for c in result["items"]:
            c["awaiting_us"] = c["id"] in mine
    return render_template(
        "staff/queue.html",
        title=title,
        result=result,
        args=args,
        endpoint=endpoint,
        states=_states(tag),
        communities=registers.communities(rt()),
        streets=registers.streets(rt()),
        filters=filters,
        quick=quick_filters(filters),
        here=request.full_path.rstrip("?"),
        handling=handling,
        views=handlers_web.saved_views(tag),
        assign_form=handlers_web.assign_form(handling["staff"]) if handling["leads"] else None,
        save_form=handlers_web.save_form(),
        saved_query=urlencode(filters),
    )


def _states(tag: str) -> list[tuple[str, str]]:
    from workflow.process.states import STATES

    return [(s.name, s.label) for s in STATES if tag in s.tags]


# --- the case page and its actions ---------------------------------------------------------


@bp.route("/cases/<int:case_id>")
@only(CLERK, APPROVER)
def case(case_id: int):
    return _show_case(case_id)


@bp.route("/cases/<int:case_id>/actions/<trigger>", methods=["POST"])
@only(CLERK, APPROVER)
def fire(case_id: int, trigger: str):
    t = TRANSITION.get(trigger)
    itemised = t is not None and any(f.kind == "items" for f in t.fields)
    form = CorrectionForm() if itemised else ActionForm()
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return _show_case(case_id, 400)
    params = dict(request.form)
    params.pop("csrf_token", None)
    params.pop("expected_version", None)
    if isinstance(form, CorrectionForm):
        params["items"] = _correction_items(form)
    try:
        version = int(form.expected_version.data or "")
    except ValueError:
        version = None
    try:
        outcome = services.fire(
            rt(), current_user.account, case_id, trigger, params, expected_version=version
        )
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status)
    flash(
        _("已办理：%(ref)s 现为 %(state)s。", ref=outcome.reference, state=_label(outcome.state)),
        "success",
    )
    return redirect(url_for("staff.case", case_id=case_id), 303)


def _label(state: str) -> str:
    from workflow.process.states import STATE

    return STATE[state].label_en if str(_locale()) == "en" else STATE[state].label


def _locale():
    from flask_babel import get_locale

    return get_locale()


def _correction_items(form: CorrectionForm) -> list[dict]:
    """The ticked documents, each with its note, then every free-text line: 一次性告知."""
    items = []
    for kind, _doc in form.checklist():
        if request.form.get(f"doc_{kind}"):
            items.append({"document": kind, "text": request.form.get(f"note_{kind}", "").strip()})
    for line in (form.other.data or "").splitlines():
        if line.strip():
            items.append({"document": None, "text": line.strip()})
    return items


@bp.route("/cases/<int:case_id>/opinion", methods=["POST"])
@only(APPROVER)
def opinion(case_id: int):
    form = OpinionForm()
    if not form.validate_on_submit():
        return _show_case(case_id, 400, opinion_form=form)
    try:
        services.give_opinion(
            rt(), current_user.id, case_id, verdict=form.verdict.data, comment=form.comment.data
        )
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status, opinion_form=form)
    flash(_("本部门意见已记录。"), "success")
    return redirect(url_for("staff.case", case_id=case_id), 303)


def _scan(form, name: str = "scan") -> str | None:
    f = form[name].data
    if not f or not getattr(f, "filename", ""):
        return None
    return services.store_scan(rt(), current_user.id, f.read())


@bp.route("/cases/<int:case_id>/votes", methods=["POST"])
@only(CLERK)
def paper_vote(case_id: int):
    form = PaperVoteForm(relationships=in_reader_language(services.RELATIONSHIPS))
    form.room.choices = [
        SelectChoice(r, r) for r in request.form.getlist("room")
    ]  # the service checks it
    if not form.validate_on_submit():
        return _show_case(case_id, 400, vote_form=form)
    try:
        services.record_paper_vote(
            rt(),
            current_user.id,
            case_id,
            room=form.room.data,
            choice=form.choice.data,
            signature=form.signature.data,
            scan_sha256=_scan(form),
            proxy_relationship=form.proxy_relationship.data or None,
            proxy_document=_scan(form, "proxy_document") if form.proxy_relationship.data else None,
        )
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status, vote_form=form)
    flash(_("已登记 %(room)s 室的纸质表决。", room=form.room.data), "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#votes", 303)


@bp.route("/cases/<int:case_id>/owners", methods=["POST"])
@only(CLERK)
def owners(case_id: int):
    """Mark flats as one owner's, count a flat's owner apart, or record which vote stands."""
    form = OwnerRulingForm()
    if not form.validate_on_submit():
        return _show_case(case_id, 400, owner_form=form)
    op, note = request.form.get("op", ""), form.note.data
    try:
        if op == "mark":
            services.mark_same_owner(
                rt(), current_user.id, case_id, request.form.getlist("rooms"), note
            )
        elif op == "separate":
            services.separate_owner(rt(), current_user.id, case_id, request.form["room"], note)
        else:
            services.record_standing_vote(
                rt(), current_user.id, case_id, request.form.get("room", ""), note
            )
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status, owner_form=form)
    flash(_("业主人数的认定已记录，表决比例已重新计算。"), "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#owners", 303)


@bp.route("/cases/<int:case_id>/objections", methods=["POST"])
@only(CLERK)
def objection(case_id: int):
    form = ObjectionForm()
    form.room.choices = [SelectChoice("", "")] + [
        SelectChoice(r, r) for r in request.form.getlist("room") if r
    ]
    if not form.validate_on_submit():
        return _show_case(case_id, 400, objection_form=form)
    try:
        services.lodge_objection(
            rt(),
            current_user.id,
            case_id,
            room=form.room.data or None,
            text=form.text.data,
            scan_sha256=_scan(form),
        )
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status, objection_form=form)
    flash(_("异议已登记。"), "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#objections", 303)


@bp.route("/cases/<int:case_id>/objections/<int:objection_id>/mediation", methods=["POST"])
@only(CLERK)
def refer(case_id: int, objection_id: int):
    """The clerk refers an open objection to the 街道's mediator."""
    if not ReferForm().validate_on_submit():
        flash(_("页面已过期，请重试。"), "error")
        return _show_case(case_id, 400)
    try:
        services.refer(rt(), current_user.id, case_id, objection_id)
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status)
    flash(_("异议已提交调解，已短信告知异议人。"), "success")
    return redirect(url_for("staff.case", case_id=case_id) + "#objections", 303)


# --- mediation (调解) -------------------------------------------------------------------------


@bp.route("/mediations")
@only(MEDIATOR)
def mediations():
    rows = services.mediation_queue(rt(), current_user.id)
    return render_template("staff/mediations.html", title=_("调解待办"), rows=rows)


def _mediation_page(mid: int, status: int = 200, **forms):
    m = services.mediation_view(rt(), current_user.id, mid)
    return render_template(
        "staff/mediation.html",
        title=_("调解 %(ref)s", ref=m["reference"]),
        m=m,
        session_form=forms.get("session_form") or MediationSessionForm(formdata=None),
        outcome_form=forms.get("outcome_form") or MediationOutcomeForm(formdata=None),
    ), status


@bp.route("/mediations/<int:mid>")
@only(MEDIATOR)
def mediation(mid: int):
    return _mediation_page(mid)


@bp.route("/mediations/<int:mid>/sessions", methods=["POST"])
@only(MEDIATOR)
def mediation_session(mid: int):
    form = MediationSessionForm()
    if not form.validate_on_submit():
        return _mediation_page(mid, 400, session_form=form)
    try:
        services.record_session(
            rt(),
            current_user.id,
            mid,
            held_on=form.held_on.data,
            place=form.place.data,
            attendees=form.attendees.data,
            notes=form.notes.data,
        )
    except WorkflowError as exc:
        refused(exc)
        return _mediation_page(mid, exc.status, session_form=form)
    flash(_("调解记录已保存。"), "success")
    return redirect(url_for("staff.mediation", mid=mid), 303)


@bp.route("/mediations/<int:mid>/outcome", methods=["POST"])
@only(MEDIATOR)
def mediation_outcome(mid: int):
    form = MediationOutcomeForm()
    if not form.validate_on_submit():
        return _mediation_page(mid, 400, outcome_form=form)
    upload = form.withdrawal.data
    try:
        services.record_outcome(
            rt(),
            current_user.id,
            mid,
            agreed=form.agreed.data == "yes",
            opinion=form.opinion.data or "",
            withdrawal=upload.read() if upload and getattr(upload, "filename", "") else None,
        )
    except WorkflowError as exc:
        refused(exc)
        return _mediation_page(mid, exc.status, outcome_form=form)
    flash(_("调解结果已记录，调解意见书已出具。"), "success")
    return redirect(url_for("staff.mediation", mid=mid), 303)


# --- 好差评: the desk's rectifications ----------------------------------------------------------


@bp.route("/ratings")
@only(CLERK, APPROVER)
def rectifications():
    rows = services.rectification_queue(rt(), current_user.id)
    return render_template(
        "staff/rectifications.html", title=_("差评整改"), rows=rows, form=RectifyForm(formdata=None)
    )


@bp.route("/ratings/<int:rating_id>/rectify", methods=["POST"])
@only(CLERK, APPROVER)
def rectify(rating_id: int):
    form = RectifyForm()
    if not form.validate_on_submit():
        flash(_("请写明整改情况。"), "error")
        return redirect(url_for("staff.rectifications"), 303)
    try:
        services.rectify(rt(), current_user.id, rating_id, form.rectification.data)
    except WorkflowError as exc:
        refused(exc)
        return redirect(url_for("staff.rectifications"), 303)
    flash(_("整改情况已答复，已请评价人回访评价。"), "success")
    return redirect(url_for("staff.rectifications"), 303)


# --- letters -------------------------------------------------------------------------------


@bp.route("/cases/<int:case_id>/supervisors", methods=["POST"])
@only(CLERK)
def paper_supervisor(case_id: int):
    """A representative's acceptance of the role, signed on paper at the window."""
    form = PaperSupervisorForm()
    try:
        services.record_paper_supervisor(rt(), current_user.account, case_id, form.room.data or "")
    except WorkflowError as exc:
        refused(exc)
        return _show_case(case_id, exc.status)
    flash(_("已登记：%(room)s 室接受担任居民监督代表。", room=form.room.data), "success")
    return redirect(url_for("staff.case", case_id=case_id, _anchor="residents"), 303)


@bp.route("/cases/<int:case_id>/problems/<int:problem_id>/photos/<int:number>")
@only(CLERK, APPROVER)
def problem_photo(case_id: int, problem_id: int, number: int):
    if services.residents.problem_case(rt(), problem_id) != case_id:
        abort(404)
    reason = reveal_reason(case_id)
    if not reason:  # a photo may show a resident: a reason first, once per case
        return redirect(url_for("staff.case", case_id=case_id, ask="photos", _anchor="residents"))
    data = services.residents.photo(
        rt(), problem_id, number, actor=current_user.account, reason=reason
    )
    return send_file(io.BytesIO(data), mimetype="image/jpeg")


@bp.route("/cases/<int:case_id>/letters")
@only(CLERK)
def case_letters(case_id: int):
    c = queries.describe_case(rt(), current_user.id, case_id)
    letters = [{**x, "reference": c["reference"], "case_id": c["id"]} for x in c["letters"]]
    return render_template(
        "staff/letters.html",
        title=_("%(ref)s 的文书", ref=c["reference"]),
        letters=letter_rows(letters),
        case=c,
        range_form=None,
        batch_url=_batch_url(),
    )


@bp.route("/letters")
@only(CLERK)
def letters():
    """Today's letters by default, or those of a date range."""
    form = LetterRangeForm(request.args)
    today = services_today()
    start = form.start.data if form.validate() and form.start.data else today
    end = form.end.data if form.end.data else start
    if end < start:
        start, end = end, start
    form.start.data, form.end.data = start, end
    rows = registers.letters_issued(rt(), current_user.id, start, end)
    return render_template(
        "staff/letters.html",
        title=_("今日文书") if start == end == today else _("文书打印"),
        letters=letter_rows(rows),
        case=None,
        range_form=form,
        batch_url=_batch_url(),
    )


def services_today() -> date:
    return rt().clock().date()


def _batch_url() -> str | None:
    return url_for("letters.batch") if "letters.batch" in current_app.view_functions else None


@bp.route("/cases/<int:case_id>/archive/download")
@only(CLERK, APPROVER)
def archive_package(case_id: int):
    """The closed case as its archive package (城建档案): what `flask archive export` writes."""
    reference = queries.describe_case(rt(), current_user.id, case_id)["reference"]
    reason = reveal_reason(case_id)
    if not reason:  # every signature and power of attorney, unmasked: a reason first
        return redirect(url_for("staff.case", case_id=case_id, ask="archive", _anchor="archive"))
    out = io.BytesIO()
    try:
        archive.export_case(rt(), current_user.id, reference, out, reason=reason)
    except WorkflowError as exc:
        refused(exc)
        return redirect(url_for("staff.case", case_id=case_id), 303)
    out.seek(0)
    return send_file(
        out, mimetype="application/zip", as_attachment=True, download_name=f"{reference}.zip"
    )


# --- the elevator register -------------------------------------------------------------------


def _which() -> str | None:
    which = request.args.get("which") or None
    return which if which in elevator_register.FILTERS else None


@bp.route("/elevators")
@only(CLERK, APPROVER, "admin")
def elevators():
    """Every elevator in use: who runs it, its maintenance contract, its yearly inspection."""
    which = _which()
    form = ElevatorFilterForm(request.args)
    after = (request.args.get("after") or "").strip()[:40] or None
    page = elevator_register.register_page(rt(), current_user.id, which, after)
    return render_template(
        "staff/elevators.html",
        title=_("电梯登记簿"),
        page=page,
        rows=page["rows"],
        first_url=url_for(".elevators", which=which) if after else None,
        next_url=url_for(".elevators", which=which, after=page["next"]) if page["next"] else None,
        form=form,
        csv_url=url_for(".elevators_csv", which=which) if which else url_for(".elevators_csv"),
    )


@bp.route("/elevators.csv")
@only(CLERK, APPROVER, "admin")
def elevators_csv():
    rows = elevator_register.elevators(rt(), current_user.id, _which())
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["案件编号", "小区", "地址", "使用登记证编号", "使用管理单位", "类型", "联系电话",
         "维保单位", "维保合同截止", "上次定期检验", "下次定期检验"]
    )  # fmt: skip
    for r in rows:
        u = r["management_unit"]
        w.writerow(
            [r["reference"], r["community"], r["address"], r["registration_number"], u["name"],
             u["kind_label"], u["phone"], r["maintenance_company"] or "",
             r["contract_ends_on"] or "", r["last_inspected_on"] or "", r["next_inspection_due"]]
        )  # fmt: skip
    # A byte-order mark so that spreadsheet programs read the Chinese as UTF-8.
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=elevators.csv"},
    )


@bp.route("/elevators/<int:case_id>/inspections/<int:inspection_id>/report")
@only(CLERK, APPROVER, "admin")
def inspection_report(case_id: int, inspection_id: int):
    """An inspection's report as the 使用管理单位 or the window uploaded it."""
    pdf = elevator_register.inspection_report(rt(), current_user.id, case_id, inspection_id)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=inspection-{inspection_id}.pdf"},
    )


@bp.route("/elevators/<int:case_id>", methods=["GET", "POST"])
@only(CLERK, APPROVER, "admin")
def elevator(case_id: int):
    """One elevator, its inspections, and (for a clerk) the form to record the next one."""
    form = InspectionForm()
    status = 200
    if request.method == "POST":
        if current_user.role != CLERK:
            abort(403)
        f = form.report.data
        try:
            services.record_inspection(
                rt(),
                current_user.id,
                case_id,
                form.inspected_on.data or request.form.get("inspected_on"),
                form.result.data,
                f.read() if f and getattr(f, "filename", "") else b"",
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            refused(exc)
            status = 400
        else:
            flash(_("已登记定期检验。"), "success")
            return redirect(url_for(".elevator", case_id=case_id))
    e = elevator_register.elevator(rt(), current_user.id, case_id)
    link = (
        url_for(
            "public.elevator_link", token=services.inspection_link(rt(), current_user.id, case_id)
        )
        if current_user.role == CLERK
        else None
    )
    return render_template(
        "staff/elevator.html", title=_("电梯 %(n)s", n=e["registration_number"]), e=e, form=form,
        link=link,
    ), status  # fmt: skip
