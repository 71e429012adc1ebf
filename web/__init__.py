"""The Flask application: `create_app()` reads the instance folder and wires the engine."""

from __future__ import annotations

import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask

from workflow import settings as settings_mod
from workflow.context import Runtime
from workflow.db import Database
from workflow.storage import FileStore


def _secret_key(instance: Path) -> str:
    """A key made once per instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class PdfRenderer:
    """Letters and generated documents through web.pdf (WeasyPrint, imported lazily)."""

    def letter(self, context: dict[str, Any]) -> bytes:
        from .pdf.render import render_letter

        return render_letter(context)

    def document(self, context: dict[str, Any]) -> bytes:
        from .pdf.render import render_document

        return render_document(context)

    def batch(self, contexts: list[dict[str, Any]]) -> bytes:
        """Letters as one print job, laid out on every core with the faces embedded once."""
        from .pdf.batch import batch_pdf

        return batch_pdf(contexts)


@cache
def _font_report():
    from .pdf import check_fonts

    return check_fonts()


def _fonts_ready(app: Flask) -> None:
    """Letters need a real CJK face: without one, refuse to start rather than print boxes."""
    report = _font_report()  # raises FontMissingError, in Chinese and English
    if report.missing:
        app.logger.warning("CJK faces missing, letters fall back: %s", ", ".join(report.missing))


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    instance_path = os.environ.get("ELEVATOR_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{instance / 'jiati.sqlite3'}",
        FILES_DIR=str(instance / "files"),
        RENDER_PDF=True,
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        if os.environ.get("DATABASE_URL"):
            app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)

    # Chinese is written in the templates; each area keeps its English catalogue in its own
    # folder (web/translations, web/<area>/translations), compiled by `make install`.
    here = Path(__file__).resolve().parent
    catalogues = [here / "translations", *sorted(here.glob("*/translations"))]
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(map(str, catalogues)))
    app.config.setdefault("BABEL_DOMAIN", ";".join("messages" for _ in catalogues))

    base = settings_mod.from_config(app.config)
    # A request may carry the largest upload plus its form fields.
    app.config.setdefault("MAX_CONTENT_LENGTH", base.upload_max_bytes + 1024 * 1024)
    app.config.setdefault("MAX_FORM_MEMORY_SIZE", 2 * 1024 * 1024)

    if app.config["RENDER_PDF"]:
        _fonts_ready(app)

    app.json.ensure_ascii = False  # Chinese in JSON answers as text, not escapes

    db = Database(app.config["DATABASE_URL"])
    runtime = Runtime(
        db=db,
        settings=base,
        store=FileStore(app.config["FILES_DIR"]),
        renderer=PdfRenderer() if app.config["RENDER_PDF"] else None,
    )
    app.extensions["jiati"] = runtime

    from . import cli, extensions

    extensions.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """One blueprint per user's area; errors first, so the areas may answer their own."""
    from . import admin, api, auth, errors, homeowner, letters, public, staff

    for area in (errors, auth, homeowner, public, staff, admin, letters, api):
        area.init_app(app)


def runtime(app: Flask | None = None) -> Runtime:
    from flask import current_app

    return (app or current_app).extensions["jiati"]
