"""Error pages in one place; the API blueprint answers its own errors as JSON."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa

from workflow.errors import WorkflowError

log = logging.getLogger(__name__)

# The database cannot be reached right now (restarting, failed over, a connection cut, every
# pooled connection taken): nothing was done, and the same request will work shortly.
DATABASE_DOWN = (sa.OperationalError, sa.InterfaceError, sa.TimeoutError)
RETRY_AFTER_SECONDS = 5

TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "页面不存在",
    409: "操作未能完成",
    413: "文件太大",
    415: "文件格式不符",
    422: "条件尚未满足",
    500: "系统出错",
    503: "暂时无法办理",
}


def _page(status: int, messages: list[str] | None = None):
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=_(TITLES.get(status, "系统出错")),
            messages=messages or [],
        ),
        status,
    )


def unavailable(exc: Exception):
    """503 with `Retry-After`: a page in Chinese, or the API's JSON error. The page is rendered
    without the site's context processors, which read the account and settings from the very
    database that is down."""
    first_line = next(iter(str(exc).splitlines()), "")
    log.warning("database unavailable: %s: %s", exc.__class__.__name__, first_line[:200])
    if request.blueprint == "api" or request.path.startswith("/api/"):
        response = jsonify(
            {
                "error": "unavailable",
                "message": "服务暂时不可用，请稍后再试。",
                "details": [
                    {
                        "code": "database_unavailable",
                        "message": "系统正在恢复，请稍后重试。",
                        "message_en": "The service is recovering; try again shortly.",
                    }
                ],
            }
        )
    else:
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        response = current_app.response_class(
            page.render(retry_after=RETRY_AFTER_SECONDS), mimetype="text/html"
        )
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def workflow_error(exc: WorkflowError):
        from ..extensions import say

        return _page(exc.status, [say(m) for m in exc.messages])

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _page(400, [_("页面已过期，请返回后刷新页面再试。")])

    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, lambda exc, s=status: _page(s))

    for down in DATABASE_DOWN:
        app.register_error_handler(down, unavailable)

    @app.after_request
    def no_store_for_private_pages(response):
        if request.endpoint and not request.endpoint.startswith(("static", "public")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
