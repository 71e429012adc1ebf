"""No account needed: a household signs through its own link, and lodges objections there;
the public notice's QR code leads to /notice/<reference>."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from forms.homeowner import (
    NoticeObjectionForm,
    ObjectionForm,
    SignForm,
    TrackForm,
    WithdrawObjectionForm,
)
from workflow import services
from workflow.errors import InvalidInput, NotFound, WorkflowError, msg
from workflow.read import projects as register
from workflow.read import tracking
from workflow.read.ratings import published
from workflow.rules.money import yuan
from workflow.rules.ratings import LEVELS

from ..extensions import in_reader_language, say
from ..homeowner.common import CHOICE_LABELS
from ..homeowner.helpers import rt, show_errors
from .chart import year_bars
from .throttle import too_many_lookups

bp = Blueprint("public", __name__)


@bp.after_request
def signing_pages_are_private(response):
    # A signing page names the household and carries a form token: never keep it in a cache.
    if request.endpoint in (
        "public.sign",
        "public.objection",
        "public.notice",
        "public.withdraw_objection",
    ):
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
        form=sign_form
        or SignForm(formdata=None, relationships=in_reader_language(services.RELATIONSHIPS)),
        objection=objection_form or ObjectionForm(formdata=None),
        summary=summary or [],
    ), status


@bp.route("/sign/<token>", methods=["GET", "POST"])
def sign(token: str):
    """The household's own page: confirm who you are, choose, sign."""
    form = SignForm(relationships=in_reader_language(services.RELATIONSHIPS))
    if not form.is_submitted():
        return _page(token)
    proxy = None
    signature = form.signature.data or form.owner_name.data or ""
    if form.proxy_relationship.data or (form.proxy_name.data or "").strip():
        # Signing for the owner: the signer's own name is the signature.
        upload = form.proxy_document.data
        proxy = services.Proxy(
            name=(form.proxy_name.data or "").strip(),
            relationship=form.proxy_relationship.data or "",
            document=upload.read() if upload and getattr(upload, "filename", "") else b"",
        )
        signature = proxy.name
    try:
        services.sign(
            rt(),
            token,
            owner_name=form.owner_name.data or "",
            phone_tail=form.phone_tail.data or "",
            choice=form.choice.data or "",
            # The name typed once is the signature (a drawn one may stand beside it).
            signature=signature,
            signature_image=form.signature_image.data or None,
            proxy=proxy,
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


# — progress and the public register (办件查询、政务公开) ————————————————————————————————


TOO_MANY = msg(
    "too_many_lookups",
    "查询过于频繁，请稍后再试。",
    "Too many lookups from this address; try again later.",
)


@bp.route("/track", methods=["GET", "POST"])
def track():
    """Where a case stands, for anyone holding its reference and the applicant's phone tail."""
    form = TrackForm(formdata=request.form if request.method == "POST" else request.args)
    result, summary, status = None, [], 200
    if form.reference.data or form.phone_tail.data:
        if too_many_lookups():
            summary, status = [(None, say(TOO_MANY))], 429
        else:
            try:
                result = tracking.track(rt(), form.reference.data, form.phone_tail.data)
            except (InvalidInput, NotFound) as exc:
                summary, status = show_errors(form, exc.messages), exc.status
    return render_template("public/track.html", form=form, t=result, summary=summary), status


def _register_filters() -> tuple[str | None, int | None]:
    street = (request.args.get("street") or "").strip()[:32] or None
    year = request.args.get("year", "")
    return street, int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None


@bp.route("/projects")
def projects():
    street, year = _register_filters()
    data = register.projects(rt(), street=street, year=year)
    return render_template(
        "public/projects.html",
        r=data,
        chart=year_bars(data["summary"]),
        yuan=yuan,
        csv_url=url_for(".projects_csv", **{k: v for k, v in request.args.items() if v}),
    )


@bp.route("/ratings")
def ratings():
    """好差评 results, published (国办发〔2019〕51号): per month and desk, no names, no comments."""
    return render_template("public/ratings.html", rows=published(rt()), levels=LEVELS)


@bp.route("/sign/<token>/objections/<int:objection_id>/withdraw", methods=["POST"])
def withdraw_objection(token: str, objection_id: int):
    """The objector withdraws its own objection from its household link."""
    if not WithdrawObjectionForm().validate_on_submit():
        flash(_("页面已过期，请重试。"), "error")
        return redirect(url_for(".sign", token=token) + "#own-objections")
    try:
        services.withdraw_by_link(rt(), token, objection_id)
    except NotFound:
        raise
    except WorkflowError as exc:
        for m in exc.messages:
            flash(say(m), "error")
    else:
        flash(_("您的异议已撤回。"), "success")
    return redirect(url_for(".sign", token=token) + "#own-objections")


@bp.route("/projects.csv")
def projects_csv():
    street, year = _register_filters()
    data = register.projects(rt(), street=street, year=year)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["街道", "小区", "地址（楼栋单元）", "电梯数", "办理状态", "批准日期", "补贴金额（元）"]
    )
    for row in data["rows"]:
        granted = row["subsidy_fen"]
        w.writerow(
            [
                row["street"],
                row["community"],
                row["address"],
                row["elevators"],
                row["state_label"],
                row["approved_on"],
                # Plain figures (no thousands separators) for spreadsheets.
                f"{granted // 100}.{granted % 100:02d}" if granted is not None else "",
            ]
        )
    # A byte-order mark so that spreadsheet programs read the Chinese as UTF-8.
    body = "\ufeff" + out.getvalue()
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=projects.csv"},
    )
