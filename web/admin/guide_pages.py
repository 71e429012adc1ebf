"""The admin's pages for the public guide: its free texts (with a preview) and the policies."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.guide import GuideTextsForm, PolicyForm
from workflow.errors import WorkflowError
from workflow.read.guide import TEXT_KEYS
from workflow.services import guide as guide_services

from ..extensions import say
from . import admin_only, bp
from .routes import rt


@bp.route("/guide", methods=["GET", "POST"])
@admin_only
def guide_texts():
    """Edit the window, contacts and policy notes; "预览" shows the guide without saving."""
    if request.method == "POST":
        form = GuideTextsForm()
    else:
        form = GuideTextsForm(formdata=None, data=guide_services.guide_texts(rt()))
    preview = None
    status = 200
    if form.validate_on_submit():
        texts = {k: form[k].data or "" for k in TEXT_KEYS}
        if request.form.get("op") == "preview":
            preview = guide_services.public_guide(rt(), texts=texts)
        else:
            guide_services.save_guide_texts(rt(), current_user.id, texts)
            flash(_("办事指南的说明文字已保存。"), "success")
            return redirect(url_for("admin.guide_texts"), 303)
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/guide_texts.html", title=_("办事指南文字"), form=form, g=preview
    ), status


@bp.route("/policies", methods=["GET", "POST"])
@admin_only
def policies():
    form = PolicyForm()
    status = 200
    if form.validate_on_submit():
        upload = form.pdf.data
        try:
            guide_services.add_policy(
                rt(),
                current_user.id,
                title=form.title.data or "",
                issuer=form.issuer.data or "",
                issued_on=form.issued_on.data or "",
                url=form.url.data or "",
                pdf=upload.read() if upload else None,
            )
        except WorkflowError as exc:
            for m in exc.messages:
                flash(say(m), "error")
            status = exc.status
        else:
            flash(_("已添加政策文件。"), "success")
            return redirect(url_for("admin.policies"), 303)
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/policies.html",
        title=_("政策文件"),
        form=form,
        policies=guide_services.policies(rt()),
    ), status


@bp.route("/policies/<policy_id>/remove", methods=["POST"])
@admin_only
def remove_policy(policy_id: str):
    try:
        guide_services.remove_policy(rt(), current_user.id, policy_id)
    except WorkflowError as exc:
        for m in exc.messages:
            flash(say(m), "error")
    else:
        flash(_("已移除政策文件。"), "success")
    return redirect(url_for("admin.policies"), 303)
