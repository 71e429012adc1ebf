"""Pages without an account: the household's signing page and the public notice."""

from __future__ import annotations

from flask import Flask

from .routes import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
