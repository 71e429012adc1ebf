"""What every response carries, and how hard a client may knock: security headers and the
per-address throttle (Flask-Limiter) on the doors where secrets are guessed.

Throttled per client address here: registering, signing links (a token in the URL) and letter
checks. Passwords, phone tails and case references are throttled by their failures instead
(web/throttle.py), so that an office or a carrier sharing one address is not refused for its
successes. Behind a proxy, set
`FLASK_PROXIES` (ProxyFix, in the app factory) so the address is the client's, not the proxy's. The storage is Redis when
`REDIS_URL` is set (every worker and host shares the counts), memory otherwise (one process).
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from . import throttle
from .throttle import TooManyFailures

# The pages load scripts and styles from our own static folder only. Inline style attributes
# remain (a progress bar's width); inline scripts and event handlers are refused.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",  # a batch print's page polls its status
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# A Server header set by the application replaces gunicorn's and Werkzeug's own, which name
# the software and its version.
SERVER = "jiati"

# endpoint → the limits per client address it takes (methods None: every method)
LIMITS: dict[str, list[tuple[str, list[str] | None]]] = {
    "auth.register": [("REGISTER", ["POST"])],
    "public.sign": [("SIGNING", None)],
    "public.objection": [("SIGNING", None)],
    "public.notice": [("SIGNING", None)],
    "api.signing_view": [("SIGNING", None)],
    "api.sign": [("SIGNING", None)],
    # The residents act through the same links (居民监督、居民验收).
    "api.resident_view": [("SIGNING", None)],
    "api.answer_supervisor": [("SIGNING", None)],
    "api.report_problem": [("SIGNING", None)],
    "api.close_problem": [("SIGNING", None)],
    "api.give_acceptance_opinion": [("SIGNING", None)],
    "letters.verify": [("SIGNING", None)],
    "api.verify": [("SIGNING", None)],
}
DEFAULT_RATES = {
    "RATELIMIT_REGISTER": "30 per minute; 300 per hour",
    "RATELIMIT_SIGNING": "60 per minute",
}


def security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = SERVER
    return response


def too_many(exc: RateLimitExceeded | TooManyFailures):
    text = _("请求太频繁，请稍后再试。")
    if isinstance(exc, TooManyFailures):
        text = _("失败次数过多，请 %(n)s 秒后再试。", n=exc.retry_after)
    if request.blueprint == "api":
        body = {
            "error": "too_many_requests",
            "message": text,
            "details": [
                {
                    "code": "rate_limited",
                    "message": text,
                    "message_en": "Too many requests; try again later.",
                }
            ],
        }
        response = jsonify(body)
    else:
        response = make_response(
            render_template("errors/error.html", status=429, title=_("请求太频繁"), messages=[text])
        )
    response.status_code = 429
    if isinstance(exc, TooManyFailures):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _quiet_dev_server() -> None:
    """Werkzeug's development server writes `Server: Werkzeug/x Python/y` before the
    application's headers; make its own banner ours too (gunicorn takes the application's)."""
    from werkzeug.serving import WSGIRequestHandler

    WSGIRequestHandler.version_string = lambda self: SERVER  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    _quiet_dev_server()
    for key, value in DEFAULT_RATES.items():
        app.config.setdefault(key, value)
    redis_url = app.config.get("REDIS_URL") or os.environ.get("REDIS_URL")
    if redis_url:
        app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # While Redis is down (a restart, a failover) each process counts in its own memory, and
    # goes back to the shared counts when Redis answers again: limits hold, nobody gets a 500.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)

    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    app.extensions["jiati_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, too_many)
    app.register_error_handler(TooManyFailures, too_many)
    throttle.init_app(app)
    app.after_request(security_headers)


def limit_doors(app: Flask) -> None:
    """After the blueprints are registered: wrap the throttled doors' views."""
    limiter = app.extensions["jiati_limiter"]
    for endpoint, limits in LIMITS.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        for name, methods in limits:
            rate = app.config[f"RATELIMIT_{name}"]
            view = limiter.limit(rate, methods=methods, key_func=get_remote_address)(view)
        app.view_functions[endpoint] = view
