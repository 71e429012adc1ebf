"""The applicant's voice: 好差评 of each act that concluded a step, and referring an owner's
objection to mediation (调解)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.homeowner import RatingForm, ReferForm
from workflow import services
from workflow.errors import NotFound, WorkflowError

from ..extensions import say
from .common import bp, case_of
from .helpers import rt


def _act(case_id: int, act: int) -> tuple[dict, dict]:
    c = case_of(case_id)
    found = next((a for a in services.ratings_of(rt(), current_user.id, case_id)["acts"]
                  if a["act"] == act), None)  # fmt: skip
    if found is None:
        abort(404)
    return c, found


def _page(case_id: int, act: int, form: RatingForm | None = None, status: int = 200):
    c, a = _act(case_id, act)
    return render_template(
        "homeowner/rating.html", c=c, a=a, form=form or RatingForm(formdata=None)
    ), status


@bp.route("/cases/<int:case_id>/ratings/<int:act>")
def rating(case_id: int, act: int):
    """The page the SMS announcing the act links to: rate it, or rate the desk's answer."""
    return _page(case_id, act)


@bp.route("/cases/<int:case_id>/ratings/<int:act>", methods=["POST"])
def rate(case_id: int, act: int):
    form = RatingForm()
    c, a = _act(case_id, act)
    if not form.validate_on_submit() or not form.level.data:
        form.level.errors = [*form.level.errors, _("请选择评价等级。")]
        return _page(case_id, act, form, 400)
    try:
        if a["may_rate_answer"]:
            services.rate_answer(
                rt(), current_user.id, case_id, act, form.level.data, form.comment.data or ""
            )
        else:
            services.rate(
                rt(), current_user.id, case_id, act, form.level.data, form.comment.data or ""
            )
    except NotFound:
        raise
    except WorkflowError as exc:
        for m in exc.messages:
            (form.comment.errors if m.code == "comment" else form.level.errors).append(say(m))
        return _page(case_id, act, form, exc.status)
    flash(_("感谢您的评价。"), "success")
    return redirect(url_for(".case", case_id=case_id) + "#ratings", 303)


@bp.route("/cases/<int:case_id>/objections/<int:objection_id>/mediation", methods=["POST"])
def refer(case_id: int, objection_id: int):
    """The applicant refers an open objection to the 街道's mediator."""
    case_of(case_id)
    if not ReferForm().validate_on_submit():
        flash(_("页面已过期，请重试。"), "error")
    else:
        try:
            services.refer(rt(), current_user.id, case_id, objection_id)
        except NotFound:
            raise
        except WorkflowError as exc:
            for m in exc.messages:
                flash(say(m), "error")
        else:
            flash(_("异议已提交调解，已短信告知异议人。"), "success")
    return redirect(url_for(".notice", case_id=case_id) + "#obj-h", 303)
