"""No account needed: a household signs through its own link, and lodges objections there;
the public notice's QR code leads to /notice/<reference>."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from forms.homeowner import NoticeObjectionForm, ObjectionForm, SignForm
from workflow import services
from workflow.errors import NotFound, WorkflowError
from workflow.rules.money import yuan

from ..homeowner.common import CHOICE_LABELS
from ..homeowner.helpers import rt, show_errors

bp = Blueprint("public", __name__)


@bp.after_request
def signing_pages_are_private(response):
    # A signing page names the household and carries a form token: never keep it in a cache.
    if request.endpoint in ("public.sign", "public.objection", "public.notice"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _page(token: str, sign_form=None, objection_form=None, summary=None, status=200):
    view = services.signing_view(rt(), token)
    return render_template(
        "public/sign.html",
        v=view,
        voted_label=str(CHOICE_LABELS[view.voted]) if view.voted else None,
        estimated=yuan(view.estimated_cost_fen) if view.estimated_cost_fen else None,
        share=yuan(view.share_fen) if view.share_fen is not None else None,
        subsidy=yuan(view.subsidy_fen),
        shares=[{**row, "share": yuan(row["share_fen"])} for row in view.table],
        shares_total=yuan(sum(row["share_fen"] for row in view.table)),
        form=sign_form or SignForm(formdata=None),
        objection=objection_form or ObjectionForm(formdata=None),
        summary=summary or [],
    ), status


@bp.route("/sign/<token>", methods=["GET", "POST"])
def sign(token: str):
    """The household's own page: confirm who you are, choose, sign."""
    form = SignForm()
    if not form.is_submitted():
        return _page(token)
    try:
        services.sign(
            rt(),
            token,
            owner_name=form.owner_name.data or "",
            phone_tail=form.phone_tail.data or "",
            choice=form.choice.data or "",
            # The name typed once is the signature (a drawn one may stand beside it).
            signature=form.signature.data or form.owner_name.data or "",
            signature_image=form.signature_image.data or None,
        )
    except NotFound:
        raise
    except WorkflowError as exc:
        return _page(token, sign_form=form, summary=show_errors(form, exc.messages), status=400)
    flash(_("谢谢！您的意见和签名已经记录。"), "success")
    return redirect(url_for(".sign", token=token))


@bp.route("/sign/<token>/objection", methods=["POST"])
def objection(token: str):
    form = ObjectionForm()
    try:
        services.lodge_objection_by_link(rt(), token, form.text.data or "")
    except NotFound:
        raise
    except WorkflowError as exc:
        summary = show_errors(form, exc.messages)
        return _page(token, objection_form=form, summary=summary, status=400)
    flash(_("您的异议已经提交，申请人和办理窗口会处理并答复。"), "success")
    return redirect(url_for(".sign", token=token))


@bp.route("/notice/<key>", methods=["GET", "POST"])
def notice(key: str):
    """Where the posted notice's QR code leads: the notice itself, and a form for owners of the
    unit to object (a household's own signing link goes to its page instead)."""
    try:
        services.signing_view(rt(), key)
    except NotFound:
        pass
    else:
        return redirect(url_for(".sign", token=key) + "#objection")
    facts = services.public_notice(rt(), key)
    form = NoticeObjectionForm()
    form.room.choices = [SelectChoice("", _("请选择"))] + [
        SelectChoice(r, r) for r in facts["rooms"]
    ]
    summary, status = [], 200
    if form.is_submitted():
        try:
            services.lodge_objection_as_owner(
                rt(),
                facts["reference"],
                room=form.room.data or "",
                owner_name=form.owner_name.data or "",
                phone_tail=form.phone_tail.data or "",
                text=form.text.data or "",
            )
        except WorkflowError as exc:
            if isinstance(exc, NotFound):
                raise
            summary, status = show_errors(form, exc.messages), 400
        else:
            flash(_("您的异议已经提交，申请人和办理窗口会处理并答复。"), "success")
            return redirect(url_for(".notice", key=facts["reference"]))
    return render_template("public/notice.html", n=facts, form=form, summary=summary), status
