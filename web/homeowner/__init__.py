"""The homeowner's area (/my): applications from the first idea to the subsidy."""

from __future__ import annotations

from flask import Flask

from . import application, papers, routes, voice  # noqa: F401 - each module adds its pages to bp
from .common import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
