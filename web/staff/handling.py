"""Who has the case (承办人): taking a case, letting it go, the lead's assigning (one case or the
ticked rows of a queue), saved queue filters, and the desk's workload for its lead."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.staff import AssignForm, DeleteViewForm, HandlerForm, SaveViewForm
from workflow import services
from workflow.data.settings import DESKS
from workflow.errors import WorkflowError
from workflow.read import workload as desk_loads

from . import bp, only, refused, rt
from .present import filter_query

CLERK, APPROVER = "clerk", "approver"
# A queue by the name saved filters keep (`SavedView.endpoint`) and its page.
QUEUES = {"window": "staff.queue", "review": "staff.review_queue"}
QUEUE_OF_ROLE = {CLERK: "window", APPROVER: "review"}


def own_queue() -> str:
    """The viewer's queue: the window's for clerks, the review's for approvers."""
    return QUEUE_OF_ROLE.get(current_user.role, "window")


def _back(default: str) -> str:
    """Where a form asked to return (`next`): a page of the workbench, never another site."""
    target = request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/staff/") and not (parts.scheme or parts.netloc) and "\\" not in target:
        return target
    return default


@bp.app_context_processor
def desk_lead_nav() -> dict[str, bool]:
    """The staff menu offers the workload page to whoever leads a desk."""
    if not (current_user.is_authenticated and current_user.role in (CLERK, APPROVER)):
        return {"leads_a_desk": False}
    return {"leads_a_desk": bool(desk_loads.lead_desks(rt(), current_user.id))}


# --- one case: take, let go, assign --------------------------------------------------------


@bp.route("/cases/<int:case_id>/handler", methods=["POST"])
@only(CLERK, APPROVER)
def handler(case_id: int):
    """由我办理 (op=take), 放弃承办 (op=release), or the lead's 指派 (op=assign, username)."""
    form = HandlerForm()
    back = _back(url_for("staff.case", case_id=case_id))
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return redirect(back, 303)
    op = form.op.data
    if op == "take":
        username, done = current_user.username, _("已由您承办，可在待办的“我的”中找到。")
    elif op == "release":
        username, done = None, _("已放弃承办，本案回到未指派。")
    elif op == "assign" and (form.username.data or "").strip():
        username = form.username.data.strip()
        done = _("已指派给 %(who)s，并已通知本人。", who=username)
    else:
        flash(_("请选择承办人。"), "error")
        return redirect(back, 303)
    try:
        services.set_handler(rt(), current_user.id, case_id, username)
    except WorkflowError as exc:
        refused(exc)
        return redirect(back, 303)
    flash(done, "success")
    return redirect(back, 303)


# --- the lead's assigning from the queue ----------------------------------------------------


def _case_ids() -> list[int]:
    ids = []
    for raw in request.form.getlist("case_ids"):
        if raw.isdigit() and 0 < int(raw) < 2**31:
            ids.append(int(raw))
    return ids


@bp.route("/assign", methods=["POST"])
@only(CLERK, APPROVER)
def assign():
    """The desk's lead hands the ticked cases to one person of the desk."""
    form = AssignForm()
    back = _back(url_for(QUEUES[own_queue()]))
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return redirect(back, 303)
    ids, username = _case_ids(), (form.username.data or "").strip()
    if not ids:
        flash(_("请先勾选要指派的案件。"), "error")
        return redirect(back, 303)
    if not username:
        flash(_("请选择指派给谁。"), "error")
        return redirect(back, 303)
    try:
        n = services.assign_many(rt(), current_user.id, ids, username)
    except WorkflowError as exc:
        refused(exc)
        return redirect(back, 303)
    flash(_("已指派 %(n)s 件。", n=n), "success")
    if n < len(ids):
        flash(
            _("另有 %(m)s 件未指派：已不在该岗位办理，或此人与案件有利害关系。", m=len(ids) - n),
            "warning",
        )
    return redirect(back, 303)


# --- saved filters --------------------------------------------------------------------------


@bp.route("/views", methods=["POST"])
@only(CLERK, APPROVER)
def save_view():
    """Keep the queue's filter under a name; the queue opens with it at once."""
    form = SaveViewForm()
    queue = own_queue()
    query = filter_query(dict(parse_qsl(form.query.data or "")))
    page = url_for(QUEUES[queue]) + (f"?{query}" if query else "")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(e, "error")
        return redirect(page, 303)
    try:
        services.save_view(rt(), current_user.id, form.name.data, queue, query)
    except WorkflowError as exc:
        refused(exc)
        return redirect(page, 303)
    flash(_("已保存筛选“%(name)s”。", name=form.name.data.strip()), "success")
    return redirect(page, 303)


@bp.route("/views/<int:view_id>/delete", methods=["POST"])
@only(CLERK, APPROVER)
def delete_view(view_id: int):
    back = _back(url_for(QUEUES[own_queue()]))
    if not DeleteViewForm().validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return redirect(back, 303)
    services.delete_view(rt(), current_user.id, view_id)
    flash(_("已删除该筛选。"), "success")
    return redirect(back, 303)


def saved_views(queue: str) -> list[dict]:
    """The person's saved filters of this queue, each with the link that opens it."""
    out = []
    for v in services.saved_views(rt(), current_user.id):
        if v["endpoint"] == queue:
            query = str(v["query"])
            out.append({**v, "url": url_for(QUEUES[queue]) + (f"?{query}" if query else "")})
    return out


# --- the desk's workload --------------------------------------------------------------------


@bp.route("/workload")
@only(CLERK, APPROVER, "admin")
def workload():
    """Per desk the viewer leads (every desk for the admin): each person's open cases, those due
    within 2 working days, those overdue, and what they finished this month."""
    desks = desk_loads.lead_desks(rt(), current_user.id)
    if not desks:
        abort(403)
    tables = [desk_loads.workload(rt(), current_user.id, d) for d in desks]
    for t in tables:
        t["desk_label_en"] = DESKS[t["desk"]][1]
        # A person's open cases, in the queue the viewer works from (the admin has none).
        queue = "window" if t["desk"] == "window" else "review"
        opens = QUEUE_OF_ROLE.get(current_user.role) == queue
        for r in t["rows"]:
            r["url"] = url_for(QUEUES[queue], handler=r["username"]) if opens else None
    return render_template("staff/workload.html", title=_("工作量"), tables=tables)


def assign_form(staff: list[dict]) -> AssignForm:
    form = AssignForm(formdata=None)
    form.username.choices = [("", _("请选择"))] + [
        (p["username"], f"{p['name']}（{p['username']}）") for p in staff
    ]
    return form


def save_form() -> SaveViewForm:
    return SaveViewForm(formdata=None)
