"""Every error of the API answered as JSON, in one place: {"error", "message", "details"}.

The codes and statuses come from `workflow.errors` (a refusal of a use case) or from HTTP itself
(routing, body size); the body is the same shape for both, and nothing escapes as an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, default_exceptions

from workflow.errors import Message, WorkflowError

from ..errors import DATABASE_DOWN, unavailable
from ..security import too_many
from ..throttle import TooManyFailures

log = logging.getLogger(__name__)

# HTTP errors raised outside the use cases (routing, request parsing), by status.
HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求格式不正确。", "The request is malformed."),
    401: (
        "unauthenticated",
        "请先登录：请求需要有效的访问令牌。",
        "A valid bearer token is needed.",
    ),
    403: ("forbidden", "无权进行此操作。", "You may not do this."),
    404: ("not_found", "请求的资源不存在。", "No such resource."),
    405: ("method_not_allowed", "该地址不支持此请求方法。", "Method not allowed here."),
    409: ("conflict", "操作与案件当前状态冲突。", "Conflicts with the case's state."),
    413: ("too_large", "请求内容超过大小上限。", "The request is too large."),
    415: ("unsupported_media_type", "不支持的内容类型。", "Unsupported content type."),
    422: ("guards_failed", "条件尚未满足。", "Conditions are not met."),
    429: ("too_many_requests", "查询过于频繁，请稍后再试。", "Too many requests; try later."),
    500: ("internal_error", "系统出错，请稍后再试。", "Internal error; please try again later."),
}


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
):
    response = jsonify({"error": code, "message": message, "details": details or []})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="jiati"'
    response.headers["Cache-Control"] = "no-store"
    return response


def from_http(status: int, details: list[dict[str, Any]] | None = None):
    code, zh, _en = HTTP_ERRORS.get(status, HTTP_ERRORS[500] if status >= 500 else HTTP_ERRORS[400])
    return error_response(status, code, zh, details)


def from_exception(exc: HTTPException):
    """An HTTP error as JSON, keeping the headers HTTP requires of it: a 405 says which
    methods the URL does take (`Allow`, RFC 9110 §15.5.6)."""
    response = from_http(exc.code or 500)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods is not None:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def from_workflow(exc: WorkflowError):
    return error_response(exc.status, exc.code, exc.message, [m.as_dict() for m in exc.messages])


def detail(code: str, zh: str, en: str = "") -> dict[str, str]:
    return Message(code, zh, en).as_dict()


def is_api_request(prefix: str) -> bool:
    return request.path == prefix or request.path.startswith(prefix + "/")


def answer_as_json(bp: Blueprint) -> None:
    """Every error raised inside the blueprint's views (set up once, when the module loads)."""

    @bp.errorhandler(WorkflowError)
    def workflow_error(exc: WorkflowError):
        return from_workflow(exc)

    def http_error(exc: HTTPException):
        return from_exception(exc)

    # By status code, not only by class: Flask asks handlers for the code first, the
    # application's included (the HTML error pages), before the blueprint's class handlers.
    for status in default_exceptions:
        bp.register_error_handler(status, http_error)
    bp.register_error_handler(HTTPException, http_error)

    # Before the catch-all below: a throttled guess is a 429 with its Retry-After.
    bp.register_error_handler(TooManyFailures, too_many)
    # A database that cannot be reached right now: 503 with Retry-After, not a 500.
    for down in DATABASE_DOWN:
        bp.register_error_handler(down, unavailable)

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("API request failed: %s %s", request.method, request.path)
        return from_http(500)


def init_app(app: Flask, prefix: str) -> None:
    """Routing errors (404, 405) under the prefix.

    A URL that matches no route belongs to no blueprint, so the application's own handlers
    (HTML pages) would answer it; under the API prefix they step aside for JSON.
    """
    for status in (404, 405):
        page = app.error_handler_spec[None][status]
        previous = next(iter(page.values()), None)

        def routing_error(exc: HTTPException, status=status, previous=previous):
            if is_api_request(prefix):
                return from_exception(exc)
            return previous(exc) if previous is not None else exc

        app.register_error_handler(status, routing_error)
