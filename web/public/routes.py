"""No account needed: a household signs through its own link, and lodges objections there;
the public notice's QR code leads to /notice/<reference>."""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from forms.homeowner import (
    AcceptanceOpinionForm,
    CloseProblemForm,
    NoticeObjectionForm,
    ObjectionForm,
    ProblemForm,
    SignForm,
    SupervisorAnswerForm,
    TrackForm,
    WithdrawObjectionForm,
)
from forms.staff import InspectionForm
from workflow import services
from workflow.errors import InvalidInput, NotFound, WorkflowError, msg
from workflow.read import installers as installer_record
from workflow.read import money as money_read
from workflow.read import projects as register
from workflow.read import tracking
from workflow.read.ratings import published
from workflow.rules.money import yuan
from workflow.rules.ratings import LEVELS

from .. import throttle
from ..extensions import in_reader_language, say
from ..homeowner.common import CHOICE_LABELS, OPINION_LABELS, REPLY_LABELS
from ..homeowner.helpers import rt, show_errors
from ..throttle import TooManyFailures
from .chart import year_bars

bp = Blueprint("public", __name__)


@bp.after_request
def signing_pages_are_private(response):
    # A signing page names the household and carries a form token: never keep it in a cache.
    if request.endpoint in (
        "public.sign",
        "public.objection",
        "public.notice",
        "public.money",
        "public.certificate",
        "public.elevator_link",
        "public.withdraw_objection",
    ) or (request.endpoint or "").startswith("public.resident_"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _page(
    token: str,
    sign_form=None,
    objection_form=None,
    summary=None,
    status=200,
    problem_form=None,
    opinion_form=None,
):
    view = services.signing_view(rt(), token)
    residents = services.resident_view(rt(), token)
    opinion = opinion_form or AcceptanceOpinionForm(formdata=None)
    if opinion_form is None and residents.opinion:
        opinion.opinion.data, opinion.reason.data = residents.opinion, residents.reason
    return render_template(
        "public/sign.html",
        r=residents,
        problem_form=problem_form or ProblemForm(formdata=None),
        opinion_form=opinion,
        opinion_labels=dict(OPINION_LABELS),
        reply_labels=dict(REPLY_LABELS),
        v=view,
        voted_label=str(CHOICE_LABELS[view.voted]) if view.voted else None,
        estimated=yuan(view.estimated_cost_fen) if view.estimated_cost_fen else None,
        share=yuan(view.share_fen) if view.share_fen is not None else None,
        running_share=yuan(view.running_share_fen) if view.running_share_fen else None,
        subsidy=yuan(view.subsidy_fen),
        shares=[
            {
                **row,
                "share": yuan(row["share_fen"]),
                "paid": yuan(row["compensation_paid_fen"]),
                "received": yuan(row["compensation_received_fen"]),
                "running": yuan(row["running_share_fen"]),
            }
            for row in view.table
        ],
        compensation_paid=yuan(view.compensation_paid_fen) if view.compensation_paid_fen else None,
        compensation_received=(
            yuan(view.compensation_received_fen) if view.compensation_received_fen else None
        ),
        shares_total=yuan(sum(row["share_fen"] for row in view.table)),
        form=sign_form
        or SignForm(formdata=None, relationships=in_reader_language(services.RELATIONSHIPS)),
        objection=objection_form or ObjectionForm(formdata=None),
        summary=summary or [],
        notice=services.privacy.notice(rt()),
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
        with throttle.guarded(throttle.PHONE_TAIL, token):
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


@bp.route("/sign/<token>/money")
def money(token: str):
    """我的费用: the household's bill, its 公积金 limit and its 出资证明 (DESIGN §3.3a)."""
    m = money_read.household_money(rt(), token)
    return render_template(
        "public/money.html",
        token=token,
        m=m,
        y={k: yuan(m[k]) for k in money_read.FIGURES},
        running=yuan(m["running_share_fen"]) if m["running_share_fen"] is not None else None,
    )


@bp.route("/sign/<token>/certificate")
def certificate(token: str):
    """The household's current 出资证明 as PDF."""
    f = services.household_certificate(rt(), token)
    response = Response(f.data, mimetype=f.content_type)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=certificate.pdf; filename*=UTF-8''{quote(f.filename)}"
    )
    return response


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


# — the residents through the same link (居民监督、居民验收) ——————————————————————————————


def _resident_done(token: str, text: str):
    flash(text, "success")
    return redirect(url_for(".sign", token=token, _anchor="residents"))


def _resident_refused(token: str, exc: WorkflowError, **forms):
    if isinstance(exc, NotFound) and exc.messages and exc.messages[0].code == "link":
        raise exc
    form = next(iter(forms.values()), None)
    summary = (
        show_errors(form, exc.messages)
        if form is not None
        else [(None, say(m)) for m in exc.messages]
    )
    return _page(token, summary=summary, status=exc.status, **forms)


@bp.route("/sign/<token>/supervisor", methods=["POST"])
def resident_supervisor(token: str):
    form = SupervisorAnswerForm()
    accept = form.accept.data == "yes"
    try:
        services.accept_supervisor_role(rt(), token, accept)
    except WorkflowError as exc:
        return _resident_refused(token, exc)
    return _resident_done(
        token,
        _("谢谢！您已接受担任居民监督代表。")
        if accept
        else _("已登记：本户谢绝担任居民监督代表。"),
    )


@bp.route("/sign/<token>/problems", methods=["POST"])
def resident_problem(token: str):
    form = ProblemForm()
    photos = [f.read() for f in (form.photos.data or []) if getattr(f, "filename", "")]
    try:
        services.report_problem(rt(), token, form.text.data or "", photos)
    except WorkflowError as exc:
        return _resident_refused(token, exc, problem_form=form)
    return _resident_done(token, _("问题已提交，申请人会收到短信并答复。"))


@bp.route("/sign/<token>/problems/<int:problem_id>/close", methods=["POST"])
def resident_close(token: str, problem_id: int):
    form = CloseProblemForm()
    solved = form.solved.data == "yes"
    try:
        services.close_problem(rt(), token, problem_id, solved, form.reason.data or "")
    except WorkflowError as exc:
        return _resident_refused(token, exc)
    return _resident_done(token, _("问题已关闭。") if solved else _("已登记：问题仍未解决。"))


@bp.route("/sign/<token>/acceptance", methods=["POST"])
def resident_acceptance(token: str):
    form = AcceptanceOpinionForm()
    try:
        services.give_acceptance_opinion(rt(), token, form.opinion.data or "", form.reason.data)
    except WorkflowError as exc:
        return _resident_refused(token, exc, opinion_form=form)
    return _resident_done(token, _("谢谢！您的验收意见已经记录，竣工确认前仍可修改。"))


@bp.route("/sign/<token>/problems/<int:problem_id>/photos/<int:number>")
def resident_photo(token: str, problem_id: int, number: int):
    data = services.residents.photo(rt(), problem_id, number, token=token)
    return send_file(io.BytesIO(data), mimetype="image/jpeg")


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
            with throttle.guarded(throttle.PHONE_TAIL, facts["reference"]):
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
    "查询失败次数过多，请稍后再试。",
    "Too many failed lookups of this reference from this address; try again later.",
)


@bp.route("/track", methods=["GET", "POST"])
def track():
    """Where a case stands, for anyone holding its reference and the applicant's phone tail."""
    form = TrackForm(formdata=request.form if request.method == "POST" else request.args)
    result, summary, status = None, [], 200
    retry = None
    if form.reference.data or form.phone_tail.data:
        try:
            with throttle.guarded(throttle.TRACK, form.reference.data or ""):
                result = tracking.track(rt(), form.reference.data, form.phone_tail.data)
        except TooManyFailures as exc:
            summary, status, retry = [(None, say(TOO_MANY))], 429, exc.retry_after
        except (InvalidInput, NotFound) as exc:
            summary, status = show_errors(form, exc.messages), exc.status
    page = render_template("public/track.html", form=form, t=result, summary=summary)
    return page, status, ({"Retry-After": str(retry)} if retry else {})


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


# — the 使用管理单位's link: record the elevator's yearly inspection ——————————————————————


@bp.route("/elevator/<token>", methods=["GET", "POST"])
def elevator_link(token: str):
    """The page the 使用管理单位 is sent by SMS: the elevator, its inspections, and the form to
    record the next one with its report. No account; the link is the key."""
    form = InspectionForm()
    summary, status = [], 200
    if form.is_submitted():
        f = form.report.data
        try:
            services.record_inspection_by_link(
                rt(),
                token,
                form.inspected_on.data or request.form.get("inspected_on"),
                form.result.data,
                f.read() if f and getattr(f, "filename", "") else b"",
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            summary, status = show_errors(form, exc.messages), 400
        else:
            flash(_("已登记定期检验，谢谢！"), "success")
            return redirect(url_for(".elevator_link", token=token))
    e = services.elevator_by_link(rt(), token)
    return render_template("public/elevator.html", e=e, form=form, summary=summary), status


# — the installers' record (施工单位信用评价) —————————————————————————————————————————————


def _sort() -> str:
    sort = request.args.get("sort") or "name"
    return sort if sort in installer_record.SORTS else "name"


@bp.route("/installers")
def installers():
    """Each installer's record from the cases, sortable, and any bar in force; no personal data."""
    sort = _sort()
    return render_template(
        "public/installers.html",
        rows=installer_record.installers(rt(), sort),
        sort=sort,
        sorts=[
            ("name", _("名称")),
            ("started", _("开工项目数")),
            ("completed", _("竣工项目数")),
            ("on_time", _("按期竣工比例")),
            ("days", _("平均工期")),
        ],
    )


@bp.route("/installers.csv")
def installers_csv():
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["安装单位", "统一社会信用代码", "开工项目", "竣工项目", "平均工期（天）", "按期竣工",
         "按期竣工比例", "平均逾期（天）", "居民反映问题", "问题平均关闭（天）", "整改退回",
         "居民验收意见", "禁止承接新工程至", "文号"]
    )  # fmt: skip
    for r in installer_record.installers(rt(), _sort()):
        bar = r["bar"] or {}
        w.writerow(
            [r["name"], r["credit_code"], r["started"], r["completed"], r["average_days"] or "",
             r["on_time"], r["on_time_share"] or "", r["average_days_late"] or "",
             _none_yet(r["problems_reported"]), _none_yet(r["problems_closed_average_days"]),
             _none_yet(r["returns_for_rectification"]), _opinions(r["acceptance_opinions"]),
             bar.get("until", ""), bar.get("document_number", "")]
        )  # fmt: skip
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=installers.csv"},
    )


def _opinions(shares: dict[str, str] | None) -> str:
    """满意 80% / 基本满意 20% / 不满意 0%, or 暂无记录 when no round was answered."""
    if not shares:
        return "暂无记录"
    labels = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
    return " / ".join(f"{labels[k]} {v}" for k, v in shares.items())


def _none_yet(value) -> str:
    return "暂无记录" if value is None else str(value)
