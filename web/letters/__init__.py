"""Letters: download and preview for the applicant and staff, one merged PDF for printing,
and the public verification page their QR codes lead to."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from workflow import services

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
    from workflow import queries

    from ..pdf.render import document_html

    return document_html(queries.document_preview(_rt(), current_user.id, case_id, kind))


@bp.route("/letters/batch", methods=["POST"])
@login_required
def batch():
    """The chosen letters, in the order they were shown, as one PDF to print."""
    try:
        ids = [int(v) for v in request.form.getlist("letter_ids")]
    except ValueError:
        abort(400)
    data = services.merged(_rt(), current_user.id, ids)
    return _pdf(data, f"文书合并打印-{date.today():%Y%m%d}-{len(ids)}份.pdf")


@bp.route("/verify", methods=["GET"])
def verify_form():
    code = (request.args.get("code") or "").strip()
    if code:
        return redirect(url_for("letters.verify", code=code.upper()))
    return render_template("letters_web/verify.html", result=None, code="", asked=False)


@bp.route("/verify/<code>")
def verify(code: str):
    result = services.verification(_rt(), code)
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
    if not result or result.get("what") != "letter" or not result.get("intact"):
        return None
    from ..pdf.sign import check

    signer = current_app.extensions.get("jiati_signer")
    roots = [signer.certificate] if signer is not None else []
    try:
        return check(_rt().store.read(result["sha256"]), roots)
    except Exception:  # noqa: BLE001 - an unreadable signature is reported as not valid
        current_app.logger.exception("checking the signature of %s failed", result["code"])
        return False


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
