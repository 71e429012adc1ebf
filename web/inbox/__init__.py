"""Each reader's messages: the applicant's own, and the window's or the reviewers' desk. The
same outbox rows the SMS job delivers, so a message whose SMS failed is still read here."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_login import current_user, login_required

from workflow.notify import outbox as notifications

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
READERS = ("homeowner", "clerk", "approver")


@bp.route("/")
@login_required
def index():
    rt = current_app.extensions["jiati"]
    return render_template("inbox/list.html", messages=notifications.inbox(rt, current_user.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def inbox_count():
        if not (current_user.is_authenticated and current_user.role in READERS):
            return {"inbox_count": None}
        return {"inbox_count": notifications.inbox_count(app.extensions["jiati"], current_user.id)}
