"""Stand-ins (代理): a staff member records their absence and names a colleague of the same
desk and role, or withdraws it; the page also shows whom they stand in for."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forms.absence import AbsenceForm, ClearAbsenceForm
from workflow import services
from workflow.errors import WorkflowError

from ..extensions import say
from . import bp, only, rt

# A refusal's code names the field it is about (the API's spelling of the body).
FIELDS = {"from": "starts_on", "to": "ends_on", "stand_in": "stand_in"}


def _page(form: AbsenceForm, status: int = 200):
    absence = services.my_absence(rt(), current_user.id)
    choices = services.stand_in_choices(rt(), current_user.id)
    form.stand_in.choices = [SelectChoice("", _("请选择同岗位的同事"))] + [
        SelectChoice(c["username"], f"{c['name']}（{c['username']}）") for c in choices
    ]
    queue = "staff.queue" if current_user.role == "clerk" else "staff.review_queue"
    return render_template(
        "staff/absence.html",
        title=_("请假代理"),
        form=form,
        clear_form=ClearAbsenceForm(formdata=None),
        absence=absence,
        standing_in=services.standing_in(rt(), current_user.id),
        has_colleagues=bool(choices),
        queue=queue,
    ), status


@bp.route("/absence", methods=["GET", "POST"])
@only("clerk", "approver")
def absence():
    form = AbsenceForm()
    if not form.is_submitted():
        mine = services.my_absence(rt(), current_user.id)
        form = AbsenceForm(formdata=None)
        if mine is not None:  # the form offers to change what is recorded
            form.starts_on.data = date.fromisoformat(mine["from"])
            form.ends_on.data = date.fromisoformat(mine["to"])
            form.stand_in.data = mine["stand_in"]["username"]
        return _page(form)
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        services.set_absence(
            rt(), current_user.id, form.starts_on.data, form.ends_on.data, form.stand_in.data
        )
    except WorkflowError as exc:
        for m in exc.messages:
            target = getattr(form, FIELDS.get(m.code, ""), None)
            if target is not None:
                target.errors = [*target.errors, say(m)]
            else:
                flash(say(m), "error")
        return _page(form, 400)
    flash(_("已登记请假，代理人已收到通知。"), "success")
    return redirect(url_for("staff.absence"), 303)


@bp.route("/absence/clear", methods=["POST"])
@only("clerk", "approver")
def clear_absence():
    if ClearAbsenceForm().validate_on_submit():
        if services.clear_absence(rt(), current_user.id):
            flash(_("已取消请假，代理人已收到通知。"), "success")
    return redirect(url_for("staff.absence"), 303)
