"""Operations: health for load balancers, a request id in every log line, JSON logs, and the
check of a deployment's settings that `flask --app web check` prints."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlparse

from flask import Blueprint, Flask, current_app, g, jsonify, request
from sqlalchemy import text

from workflow.data.db import begin_unit_of_work
from workflow.jobs import queue

from .schema import revisions

bp = Blueprint("ops", __name__)
log = logging.getLogger("web.request")
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Attributes every LogRecord has; anything else was passed in `extra=` and is logged as a field.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = queue.REQUEST_ID.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines on standard error for the whole process (gunicorn workers and the job worker
    alike); once per process."""
    root = logging.getLogger()
    if any(getattr(h, "_jiati_json", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._jiati_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Libraries that narrate every step at INFO (each callback of the state machine, each
    # layout phase of a PDF) speak only when something is wrong.
    for noisy in ("transitions", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


@bp.get("/healthz")
def healthz():
    """The process is up (liveness): no dependency is asked."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Database, storage and queue reachable (readiness): 503 naming what is not."""
    results = readiness(current_app)
    ok = all(r["ok"] for r in results.values())
    return jsonify(status="ok" if ok else "unavailable", checks=results), 200 if ok else 503


def readiness(app: Flask) -> dict[str, dict]:
    rt = app.extensions["jiati"]

    def database() -> None:
        with rt.db.session() as s:
            s.execute(text("SELECT 1"))

    probes = {"database": database, "storage": rt.store.check, "queue": rt.jobs.check}
    out = {}
    for name, probe in probes.items():
        start = time.perf_counter()
        try:
            probe()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", and why
            out[name] = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:300]}
        else:
            out[name] = {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}
    return out


def _start_request() -> None:
    begin_unit_of_work()
    # One read session for the whole request (see Database.reading); ended at teardown.
    g.reading = current_app.extensions["jiati"].db.reading()
    g.reading.__enter__()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
    g.request_token = queue.REQUEST_ID.set(g.request_id)
    g.request_start = time.perf_counter()


def _end_request(response):
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    if request.endpoint not in ("ops.healthz", "ops.readyz", "static"):
        log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "status": response.status_code,
                "ms": round((time.perf_counter() - g.get("request_start", 0)) * 1000, 1),
            },
        )
    return response


def _teardown(_exc=None) -> None:
    reading = g.pop("reading", None)
    if reading is not None:
        reading.__exit__(None, None, None)
    token = g.pop("request_token", None)
    if token is not None:
        try:
            queue.REQUEST_ID.reset(token)
        except ValueError:  # torn down in another context (a streamed response): just clear it
            queue.REQUEST_ID.set(None)


# --- `flask --app web check` ----------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    level: str  # "error": do not serve like this; "warning": fine for a demo, not for the public
    setting: str
    text: str


def check_configuration(app: Flask) -> list[Finding]:
    """What is misconfigured for serving the public, most serious first."""
    cfg = app.config
    out: list[Finding] = []
    key = str(cfg.get("SECRET_KEY") or "")
    if len(key) < 32 or key in {"dev", "test", "secret", "changeme"}:
        out.append(
            Finding(
                "error", "SECRET_KEY", "too short or a well-known value; use 32+ random characters"
            )
        )
    elif not cfg.get("SECRET_KEY_FROM_SETTINGS"):
        out.append(Finding(
            "warning", "SECRET_KEY",
            "made in this host's instance folder: several hosts must share one (FLASK_SECRET_KEY)",
        ))  # fmt: skip
    base = urlparse(str(cfg.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000"))
    if base.hostname in {None, "127.0.0.1", "localhost", "::1", "0.0.0.0"}:  # nosec B104  # compares a configured URL's host; binds nothing
        out.append(Finding(
            "error", "PUBLIC_BASE_URL",
            f"{base.geturl()} is local: every letter's QR code would point there",
        ))  # fmt: skip
    elif base.scheme != "https":
        out.append(Finding("warning", "PUBLIC_BASE_URL", "not https"))
    issuer = urlparse(str(cfg.get("OIDC_ISSUER") or "").strip())
    if issuer.scheme and issuer.scheme != "https":
        # The code, the client secret and the ID token travel to and from the issuer.
        out.append(Finding("error", "OIDC_ISSUER", f"{issuer.geturl()} is not https"))
    if not cfg.get("SESSION_COOKIE_SECURE"):
        out.append(
            Finding("warning", "SESSION_COOKIE_SECURE", "cookies also travel over plain http")
        )
    rt = app.extensions["jiati"]
    checks = readiness(app)
    if not checks["database"]["ok"]:
        out.append(Finding("error", "DATABASE_URL", f"unreachable: {checks['database']['error']}"))
    else:
        out.extend(_migrations(app))
        if rt.db.is_sqlite:
            out.append(Finding(
                "warning", "DATABASE_URL", "SQLite serves one host only; several need PostgreSQL"
            ))  # fmt: skip
    if not checks["storage"]["ok"]:
        out.append(Finding("error", "STORAGE_URL", f"{rt.store!r}: {checks['storage']['error']}"))
    elif not str(cfg.get("STORAGE_URL") or "").startswith("s3://"):
        out.append(Finding(
            "warning", "STORAGE_URL",
            f"{rt.store!r} is this host's disk: several hosts need s3:// (or one shared folder)",
        ))  # fmt: skip
    if not checks["queue"]["ok"]:
        out.append(Finding("error", "REDIS_URL", f"unreachable: {checks['queue']['error']}"))
    elif not cfg.get("REDIS_URL"):
        out.append(Finding(
            "warning", "REDIS_URL",
            "unset: each process of this host runs the jobs from the instance folder's queue file;"
            " several hosts need Redis",
        ))  # fmt: skip
    return sorted(out, key=lambda f: f.level != "error")


def _migrations(app: Flask) -> list[Finding]:
    current, head = revisions(app.config["DATABASE_URL"], app.extensions["jiati"].db.engine)
    if current != head:
        return [Finding(
            "error", "DATABASE_URL",
            f"schema at {current or 'nothing'}, code expects {head}: run flask --app web db upgrade",
        )]  # fmt: skip
    return []


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_start_request)
    app.after_request(_end_request)
    app.teardown_request(_teardown)
    if app.config.get("LOG_JSON", not app.testing):
        configure_logging(app.config.get("LOG_LEVEL", "INFO"))
