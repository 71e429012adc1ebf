"""The Flask application: `create_app()` reads the instance folder and wires the engine."""

from __future__ import annotations

import os
import secrets
import threading
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask

from workflow import adapters
from workflow.data import settings as settings_mod
from workflow.data.db import Database
from workflow.data.runtime import Runtime

# Settings read from the environment without the FLASK_ prefix (DESIGN §7, deployment).
ENVIRONMENT = (
    "DATABASE_URL",
    "REDIS_URL",
    "STORAGE_URL",
    "S3_ENDPOINT_URL",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_REGION",
    # 政务服务网账号登录 (OpenID Connect), offered only when OIDC_ISSUER is set (web/auth/oidc.py).
    "OIDC_ISSUER",
    "OIDC_CLIENT_ID",
    "OIDC_CLIENT_SECRET",
    "OIDC_SCOPES",
    "SMS_GATEWAY_URL",
    "SMS_GATEWAY_KEY",
    "SMS_GATEWAY_TIMEOUT",
)


def _secret_key(instance: Path) -> str:
    """A key made once per instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class PdfRenderer:
    """Letters and generated documents through web.pdf (WeasyPrint, imported lazily); letters
    signed (PAdES) with the authority's certificate when one is configured."""

    def __init__(self, signer: Any = None):
        self.signer = signer

    def letter(self, context: dict[str, Any]) -> bytes:
        from .pdf.render import render_letter

        pdf = render_letter(context)
        return self.signer.sign(pdf) if self.signer is not None else pdf

    def document(self, context: dict[str, Any]) -> bytes:
        from .pdf.render import render_document

        return render_document(context)

    def record(self, context: dict[str, Any]) -> bytes:
        """A readable record that is not an official paper (an archive's audit log)."""
        from .pdf.render import render_record

        return render_record(context)

    def batch(self, contexts: list[dict[str, Any]], progress: Any = None) -> bytes:
        """Letters as one print job, laid out on every core with the faces embedded once;
        `progress(done, total)` hears of each share laid out."""
        from .pdf.batch import batch_pdf

        return batch_pdf(contexts, progress=progress)


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
        # The embedded default's job queue (without REDIS_URL): see workflow/adapters/huey_sqlite.
        QUEUE_FILE=str(instance / "queue.sqlite3"),
        QUEUE_THREADS=2,
        RENDER_PDF=True,
        BABEL_DEFAULT_LOCALE="zh_Hans_CN",
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
        for name in ENVIRONMENT:  # the names every host and container sets, unprefixed
            if os.environ.get(name):
                app.config[name] = os.environ[name]
    else:
        app.config.from_mapping(test_config)
    # Tests run each job as it is scheduled unless they ask for the consumer.
    app.config.setdefault("QUEUE_IMMEDIATE", app.testing)
    app.config["SECRET_KEY_FROM_SETTINGS"] = bool(app.config.get("SECRET_KEY"))
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
    signer = None
    if app.config.get("SIGNING_P12"):
        from .pdf.sign import Signer

        signer = Signer(app.config["SIGNING_P12"], app.config.get("SIGNING_P12_PASSWORD"))
    app.extensions["jiati_signer"] = signer
    # The one place settings choose the backends (workflow/adapters).
    scheduler = adapters.scheduler_from(app.config)
    runtime = Runtime(
        db=db,
        settings=base,
        store=adapters.store_from(app.config, app.config["FILES_DIR"]),
        renderer=PdfRenderer(signer) if app.config["RENDER_PDF"] else None,
        jobs=scheduler,
        sms=adapters.sms_sender_from(app.config),
    )
    scheduler.bind(runtime)
    app.extensions["jiati"] = runtime
    if hasattr(scheduler, "start") and _runs_jobs(app):
        _start_once(scheduler, int(app.config["QUEUE_THREADS"]))
    if app.config.get("PROXIES"):
        # Behind nginx (or a load balancer): trust that many proxies for the client's address,
        # scheme and host, so that URLs, secure cookies and throttling see the real request.
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    from . import cli, extensions, inputs, ops, security

    ops.init_app(app)
    extensions.init_app(app)
    security.init_app(app)
    inputs.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    security.limit_doors(app)
    return app


# The queue files whose consumer runs in this process: one each, whatever number of apps the
# process builds (a test suite, a script); a scheduler that stops makes room for the next.
_CONSUMERS: dict[str, Any] = {}
_CONSUMERS_LOCK = threading.Lock()


def _start_once(scheduler: Any, threads: int) -> bool:
    with _CONSUMERS_LOCK:
        running = _CONSUMERS.get(str(scheduler.path))
        if running is not None and running.running():
            return False
        _CONSUMERS[str(scheduler.path)] = scheduler
        scheduler.start(threads)
        return True


def _runs_jobs(app: Flask) -> bool:
    """Whether this process runs the embedded queue's consumer (`QUEUE_CONSUMER`; with Redis,
    `flask --app web worker` does). By default the process that serves does: gunicorn's
    workers, any WSGI server, and `flask run` — its serving child under the debug reloader, not
    the parent that only watches files; not the other `flask` commands, nor tests that do not
    ask for it."""
    asked = app.config.get("QUEUE_CONSUMER")
    if asked is not None:
        return bool(asked)
    if app.testing or app.config["QUEUE_IMMEDIATE"]:
        return False
    import click

    command = click.get_current_context(silent=True)
    if command is None:
        return True  # a WSGI server (gunicorn) builds the app outside any command
    if command.command.name != "run":
        return False
    from flask.cli import get_debug_flag
    from werkzeug.serving import is_running_from_reloader

    reloads = command.params.get("reload")
    if reloads is None:
        reloads = get_debug_flag()
    return not reloads or is_running_from_reloader()


def _register_blueprints(app: Flask) -> None:
    """One blueprint per user's area; errors first, so the areas may answer their own."""
    from . import admin, api, auth, errors, guide, homeowner, inbox, letters, privacy, public, staff

    for area in (
        errors,
        auth,
        homeowner,
        public,
        guide,
        staff,
        admin,
        letters,
        api,
        inbox,
        privacy,
    ):
        area.init_app(app)


def runtime(app: Flask | None = None) -> Runtime:
    from flask import current_app

    return (app or current_app).extensions["jiati"]
