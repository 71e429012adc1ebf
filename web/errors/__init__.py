"""Error pages in one place; the API blueprint answers its own errors as JSON."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from workflow.errors import WorkflowError

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

    @app.after_request
    def no_store_for_private_pages(response):
        if request.endpoint and not request.endpoint.startswith(("static", "public")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
