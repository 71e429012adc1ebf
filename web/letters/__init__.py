"""Letters: download and preview for the applicant and staff, batch printing (a job merges the
chosen letters; its page shows the progress, then the PDF), and the public verification page
their QR codes lead to."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflow import services
from workflow.errors import InvalidInput
from workflow.papers import verify as papers_verify

from ..extensions import say

bp = Blueprint("letters", __name__)


def _rt():
    return current_app.extensions["jiati"]


def _pdf(data: bytes, filename: str, inline: bool = True) -> Response:
    from urllib.parse import quote

    disposition = "inline" if inline else "attachment"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=letter.pdf; filename*=UTF-8''{quote(filename)}"
    )
    return response


@bp.route("/letters/<int:letter_id>.pdf")
@login_required
def download(letter_id: int):
    f = services.letter_file(_rt(), current_user.id, letter_id)
    return _pdf(f.data, f.filename)


@bp.route("/letters/<int:letter_id>")
@login_required
def preview(letter_id: int):
    from ..pdf.render import letter_html

    context = services.letter_context(_rt(), current_user.id, letter_id)
    return letter_html(context)


@bp.route("/documents/<int:document_id>")
@login_required
def document(document_id: int):
    """One of a case's documents (uploaded, or generated and frozen at submission)."""
    f = services.document_file(_rt(), current_user.id, document_id)
    # Uploaded bytes are the applicant's: a download, in the type checked at upload, never
    # sniffed by the browser into something that runs in our origin.
    response = Response(f.data, mimetype=f.content_type)
    from urllib.parse import quote

    response.headers["Content-Disposition"] = (
        f"attachment; filename=document; filename*=UTF-8''{quote(f.filename or f.kind)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/cases/<int:case_id>/documents/<kind>/preview")
@login_required
def document_preview(case_id: int, kind: str):
    """A generated document before it is frozen: the same template as its PDF."""
    from workflow.read import cases as queries

    from ..pdf.render import document_html

    return document_html(queries.document_preview(_rt(), current_user.id, case_id, kind))


@bp.route("/letters/batch", methods=["POST"])
@login_required
def batch():
    """The chosen letters, in the order they were shown, to be merged into one PDF by a job;
    the clerk watches it on the batch's own page (303: reloading it asks nothing again)."""
    try:
        ids = [int(v) for v in request.form.getlist("letter_ids")]
    except ValueError:
        abort(400)
    try:
        batch_id = services.request_batch(_rt(), current_user.id, ids)
    except InvalidInput as exc:
        for m in exc.messages:
            flash(say(m), "error")
        return redirect(_same_site(request.referrer) or url_for("staff.letters"))
    return redirect(url_for("letters.batch_status", batch_id=batch_id), code=303)


@bp.route("/letters/batch/<int:batch_id>")
@login_required
def batch_status(batch_id: int):
    """The batch's progress as a bar, then its download; the page follows the job by itself
    (static/batch.js polls the JSON below; without JavaScript it reloads every few seconds)."""
    status = services.batch_status(_rt(), current_user.id, batch_id)
    return render_template(
        "letters_web/batch.html",
        title=_("合并打印"),
        s=_batch_view(status),
        refresh_seconds=BATCH_REFRESH_SECONDS,
        back_url=url_for("staff.letters") if current_user.role == "clerk" else url_for("index"),
    )


@bp.route("/letters/batch/<int:batch_id>.json")
@login_required
def batch_json(batch_id: int):
    return jsonify(_batch_view(services.batch_status(_rt(), current_user.id, batch_id)))


@bp.route("/letters/batch/<int:batch_id>.pdf")
@login_required
def batch_pdf(batch_id: int):
    f = services.batch_file(_rt(), current_user.id, batch_id)
    return _pdf(f.data, f.filename)


# Without JavaScript the page reloads itself this often while the job runs.
BATCH_REFRESH_SECONDS = 3


def _batch_view(s) -> dict:
    """What the page and its poll show, worded once here for both."""
    count = _("已完成 %(done)d / %(total)d 份", done=s.done, total=s.total)
    if s.state == "queued":
        headline = _("已排队，马上开始合并")
        detail = _("共 %(total)d 份文书。本页会自己更新，请稍候。", total=s.total)
    elif s.state == "running":
        headline = _("正在合并，请稍候")
        detail = _("做好后，这里会出现“打开 PDF 打印”按钮。")
    elif s.state == "done":
        headline = _("合并完成：共 %(total)d 份文书", total=s.total)
        detail = _("点下面的按钮打开 PDF，再用浏览器的“打印”打出来。")
    else:
        headline = _("合并未能完成")
        detail = s.error or _("请回到“文书打印”重新选择后再试。")
    return {
        "id": s.id,
        "state": s.state,
        "done": s.done,
        "total": s.total,
        "percent": s.percent,
        "finished": s.finished,
        "headline": headline,
        "count": count,
        "detail": detail,
        "error": s.error if s.state == "failed" else None,
        "download_url": url_for("letters.batch_pdf", batch_id=s.id) if s.state == "done" else None,
    }


def _same_site(url: str | None) -> str | None:
    """A referrer on this site (the letters page the form was on), else nothing."""
    if url and url.startswith(request.host_url):
        return url
    return None


@bp.route("/verify", methods=["GET"])
def verify_form():
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("letters.verify", code=code.upper()))
    return render_template("letters_web/verify.html", result=None, code="", asked=False)


@bp.route("/verify/<code>")
def verify(code: str):
    result = papers_verify.verify(_rt(), code)
    status = 200 if result else 404
    return render_template(
        "letters_web/verify.html",
        result=result,
        code=code,
        asked=True,
        signature=_signature(result),
    ), status


def _signature(result):
    """The PDF signature of a signed letter, checked against the authority's certificate."""
    if not result or result.what != "letter" or not result.intact:
        return None
    from ..pdf.sign import check

    signer = current_app.extensions.get("jiati_signer")
    roots = [signer.certificate] if signer is not None else []
    try:
        return check(_rt().store.read(result.sha256), roots)
    except Exception:  # noqa: BLE001 - an unreadable signature is reported as not valid
        current_app.logger.exception("checking the signature of %s failed", result.code)
        return False


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
