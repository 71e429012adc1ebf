"""Views of personal information: parse the form, call one service, render."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from forms.privacy import AnswerForm, NoticeForm, PrivacyRequestForm, RevealForm
from workflow import services
from workflow.errors import NotFound, WorkflowError

from .. import PdfRenderer
from ..extensions import say
from ..homeowner.helpers import rt, show_errors
from ..staff import only
from . import REASONS_KEY, bp

# — the notice ————————————————————————————————————————————————————————————————————


@bp.route("/privacy")
def notice():
    return render_template("privacy/notice.html", n=services.privacy.notice(rt()))


@bp.route("/privacy/v<int:version>")
def notice_version(version: int):
    if not 1 <= version <= 100_000:
        abort(404)
    return render_template(
        "privacy/notice.html", n=services.privacy.notice(rt(), version), old=True
    )


@bp.route("/admin/privacy-notice", methods=["GET", "POST"])
@only("admin")
def admin_notice():
    current = services.privacy.notice(rt())
    form = NoticeForm()
    status = 200
    if form.is_submitted():
        try:
            version = services.privacy.publish_notice(rt(), current_user.id, form.text.data or "")
        except WorkflowError as exc:
            show_errors(form, exc.messages)
            status = exc.status
        else:
            flash(_("已发布第 %(v)s 版。", v=version), "success")
            return redirect(url_for(".admin_notice"), 303)
    else:
        form.text.data = current.text
    return render_template(
        "privacy/admin_notice.html",
        title=_("个人信息处理规则"),
        form=form,
        n=current,
        versions=services.privacy.notice_versions(rt()),
    ), status


@bp.route("/admin/access-log")
@only("admin")
def access_log():
    return render_template(
        "privacy/access_log.html",
        title=_("个人信息查看记录"),
        rows=services.privacy.access_log(rt(), current_user.id),
    )


# — 我的信息 ——————————————————————————————————————————————————————————————————————


def _pdf(data: dict, filename: str) -> Response:
    renderer = rt().renderer or PdfRenderer()
    pdf = renderer.record({"kind": "personal_data", "d": data})
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def _json(data: dict, filename: str) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def _my_page(form=None, summary=None, status=200):
    return render_template(
        "privacy/my_data.html",
        d=services.privacy.my_data(rt(), current_user.id),
        form=form or PrivacyRequestForm(formdata=None),
        summary=summary or [],
        json_url=url_for(".my_data_json"),
        pdf_url=url_for(".my_data_pdf"),
        request_url=url_for(".my_request"),
    ), status


@bp.route("/me/data")
@login_required
def my_data():
    return _my_page()


@bp.route("/me/data.json")
@login_required
def my_data_json():
    return _json(services.privacy.my_data(rt(), current_user.id), "my-data.json")


@bp.route("/me/data.pdf")
@login_required
def my_data_pdf():
    return _pdf(services.privacy.my_data(rt(), current_user.id), "my-data.pdf")


@bp.route("/me/requests", methods=["POST"])
@login_required
def my_request():
    form = PrivacyRequestForm()
    try:
        made = services.privacy.make_request(
            rt(), current_user.id, form.kind.data or "", form.text.data or ""
        )
    except WorkflowError as exc:
        return _my_page(form, show_errors(form, exc.messages), exc.status)
    flash(_("申请已提交，窗口将在 %(due)s 前书面答复。", due=made["due"]), "success")
    return redirect(url_for(".my_data"), 303)


def _household_page(token: str, form=None, summary=None, status=200):
    return render_template(
        "privacy/my_data.html",
        d=services.privacy.household_data(rt(), token),
        form=form or PrivacyRequestForm(formdata=None),
        summary=summary or [],
        json_url=url_for(".household_data_json", token=token),
        pdf_url=url_for(".household_data_pdf", token=token),
        request_url=url_for(".household_request", token=token),
        back_url=url_for("public.sign", token=token),
    ), status


@bp.route("/sign/<token>/data")
def household_data(token: str):
    return _household_page(token)


@bp.route("/sign/<token>/data.json")
def household_data_json(token: str):
    return _json(services.privacy.household_data(rt(), token), "household-data.json")


@bp.route("/sign/<token>/data.pdf")
def household_data_pdf(token: str):
    return _pdf(services.privacy.household_data(rt(), token), "household-data.pdf")


@bp.route("/sign/<token>/requests", methods=["POST"])
def household_request(token: str):
    form = PrivacyRequestForm()
    try:
        made = services.privacy.make_request(
            rt(), None, form.kind.data or "", form.text.data or "", token=token
        )
    except NotFound:
        raise
    except WorkflowError as exc:
        return _household_page(token, form, show_errors(form, exc.messages), exc.status)
    flash(_("申请已提交，窗口将在 %(due)s 前书面答复。", due=made["due"]), "success")
    return redirect(url_for(".household_data", token=token), 303)


@bp.after_request
def private_pages(response):
    # A household's data page names the household: never kept in a cache.
    if request.endpoint and request.endpoint.startswith(("privacy.household", "privacy.my")):
        response.headers["Cache-Control"] = "no-store"
    return response


# — the clerks' queue ————————————————————————————————————————————————————————————————


@bp.route("/staff/privacy-requests", methods=["GET"])
@only("clerk")
def request_queue():
    rows = services.privacy.privacy_requests(rt(), current_user.id)
    forms = {r["id"]: AnswerForm(formdata=None, prefix=f"r{r['id']}") for r in rows}
    return render_template("privacy/requests.html", title=_("个人信息申请"), rows=rows, forms=forms)


@bp.route("/staff/privacy-requests/<int:request_id>", methods=["POST"])
@only("clerk")
def answer_request(request_id: int):
    form = AnswerForm(prefix=f"r{request_id}")
    try:
        services.privacy.answer_request(
            rt(),
            current_user.id,
            request_id,
            outcome=form.outcome.data or "",
            answer=form.answer.data or "",
            legal_reason=form.legal_reason.data or None,
        )
    except WorkflowError as exc:
        for m in exc.messages:
            flash(say(m), "error")
    else:
        flash(_("已书面答复。"), "success")
    return redirect(url_for(".request_queue"), 303)


# — a desk's reason before unmasked data ——————————————————————————————————————————


# What a reason is for: where the page goes once it is given, or when it is asked again. One
# reason per case per session covers them all.
_THEN = {
    "phones": (
        "?reveal=phones#votes",
        "?reveal=phones#votes",
        _l("请写明查看完整电话号码的事由。"),
    ),
    "photos": ("#residents", "?ask=photos#residents", _l("请写明查看居民反映问题照片的事由。")),
    "archive": ("#archive", "?ask=archive#archive", _l("请写明下载归档包的事由。")),
}


@bp.route("/staff/cases/<int:case_id>/reveal", methods=["POST"])
@only("clerk", "approver")
def reveal(case_id: int):
    then = request.args.get("then", "phones")
    then = then if then in _THEN else "phones"
    form = RevealForm(prefix="" if then == "phones" else then)
    reason = (form.reason.data or "").strip()[:200]
    given, asked, missing = _THEN[then]
    if not reason:
        flash(str(missing), "error")
        return redirect(url_for("staff.case", case_id=case_id) + asked, 303)
    reasons = dict(session.get(REASONS_KEY) or {})
    reasons[str(case_id)] = reason
    session[REASONS_KEY] = reasons
    return redirect(url_for("staff.case", case_id=case_id) + given, 303)
