"""The staff workbench: the clerk's window (受理, 补正, paper votes, completion, letters) and
the approvers' joint review. Every page answers only the roles it is for."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Flask, abort, current_app, flash
from flask_babel import gettext as _
from flask_login import current_user, login_required

from workflow.errors import WorkflowError

from ..extensions import say

bp = Blueprint("staff", __name__, url_prefix="/staff")


def only(*roles: str):
    """A page for these account roles; everyone else logged in gets 403."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def rt():
    return current_app.extensions["jiati"]


def refused(exc: WorkflowError) -> None:
    """A refusal's messages, each flashed in the reader's language, on the page shown next."""
    for m in exc.messages or ():
        flash(say(m), "error")
    if not exc.messages:
        flash(_("操作未完成。"), "error")


def init_app(app: Flask) -> None:
    from . import absence, handling, routes  # noqa: F401  (registers the views on bp)

    app.register_blueprint(bp)
