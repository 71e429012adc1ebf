"""Bearer tokens: `Authorization: Bearer <token>` from `POST /api/v1/token`.

Tokens are stored hashed, expire, and can be revoked (`DELETE /api/v1/token`); the account behind
one is looked up on every request, so a disabled account stops working at once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, request

from workflow.errors import NotAuthenticated, msg
from workflow.services import Account, token_account

MISSING = msg(
    "token_missing",
    "请在 Authorization 头中提供访问令牌（Bearer）。",
    "Send a bearer token in the Authorization header.",
)
INVALID = msg(
    "token_invalid",
    "访问令牌无效、已过期或已撤销，请重新获取。",
    "The token is invalid, expired or revoked.",
)


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def caller() -> Account:
    """The account the request's token belongs to (set by `token_required`)."""
    return g.api_account


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if token is None:
            raise NotAuthenticated(MISSING)
        if len(token) > 200:
            raise NotAuthenticated(INVALID)
        account = token_account(current_app.extensions["jiati"], token)
        if account is None:
            raise NotAuthenticated(INVALID)
        g.api_account = account
        g.api_token = token
        return view(*args, **kwargs)

    wrapped.needs_token = True  # type: ignore[attr-defined]  # read by the OpenAPI document
    return wrapped
