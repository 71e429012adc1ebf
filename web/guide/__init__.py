"""The public face: the service guide (办事指南) generated from the rules, a cost calculator
anyone can use, and the policies in force. No account needed."""

from __future__ import annotations

from flask import Flask

from .routes import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
