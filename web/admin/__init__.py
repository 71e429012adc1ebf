"""The admin's area: accounts, settings, holidays and statistics. Admins only."""

from __future__ import annotations

from flask import Blueprint, Flask

from ..staff import only

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = only("admin")


def init_app(app: Flask) -> None:
    from . import guide_pages, routes  # noqa: F401  (registers the views on bp)

    app.register_blueprint(bp)
