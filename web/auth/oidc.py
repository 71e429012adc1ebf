"""政务服务网账号登录: OpenID Connect beside the local login, when `OIDC_ISSUER` is set.

Authlib's Flask client does the protocol: discovery from the issuer, the authorization code
flow with PKCE (S256), `state` and `nonce` kept in the session and checked on return, the ID
token's signature (the provider's published keys) and claims (iss, aud, exp, iat, nonce)
verified. This module keeps the client and turns Authlib's refusals into a sentence for the
login page; the views (web/auth) turn the verified claims into an account.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, url_for
from flask_babel import gettext as _
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError

from ..security import CSP

NAME = "oidc"
DEFAULT_SCOPES = "openid profile phone"
# Seconds of clock difference with the provider tolerated on the ID token's times.
DEFAULT_LEEWAY = 60
TIMEOUT = 10  # seconds for each call to the provider (discovery, keys, token, userinfo)
ID_TOKEN = "oidc_id_token"  # nosec B105  # a session key: the ID token kept for the logout
NEXT = "oidc_next"  # where to go after the provider's login


class OidcNotConfigured(RuntimeError):
    pass


def enabled(app: Flask | None = None) -> bool:
    return (app or current_app).extensions.get("jiati_oidc") is not None


def init_app(app: Flask) -> None:
    """Registers the provider when `OIDC_ISSUER` is set; its metadata is read on first use, so
    the site starts (and its local login works) while the provider is unreachable."""
    issuer = (app.config.get("OIDC_ISSUER") or "").strip().rstrip("/")
    app.extensions["jiati_oidc"] = None
    if not issuer:
        return
    client_id = app.config.get("OIDC_CLIENT_ID")
    secret = app.config.get("OIDC_CLIENT_SECRET")
    if not client_id or not secret:
        raise OidcNotConfigured(
            "OIDC_ISSUER 已设置，但缺少 OIDC_CLIENT_ID 或 OIDC_CLIENT_SECRET / "
            "OIDC_ISSUER is set without OIDC_CLIENT_ID and OIDC_CLIENT_SECRET"
        )
    scopes = (app.config.get("OIDC_SCOPES") or DEFAULT_SCOPES).replace(",", " ").split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    oauth = OAuth(app)
    app.extensions["jiati_oidc"] = oauth.register(
        NAME,
        client_id=client_id,
        client_secret=secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": " ".join(scopes),
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )


class Refused(Exception):
    """Why the provider's answer opened no session, as the login page says it."""

    def __init__(self, text: str, status: int = 400):
        super().__init__(text)
        self.text, self.status = text, status


def _client():
    client = current_app.extensions.get("jiati_oidc")
    if client is None:
        abort(404)
    return client


def _unreachable() -> Refused:
    return Refused(_("暂时无法连接政务服务网，请稍后再试，或使用手机号和密码登录。"), 502)


def begin(redirect_uri: str):
    """The redirect to the provider's login page, the state, nonce and PKCE verifier kept in
    the session for the way back."""
    client = _client()
    try:
        return client.authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError) as exc:
        current_app.logger.exception("OIDC discovery failed")
        raise _unreachable() from exc


def _with_userinfo(client, token: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims with the userinfo endpoint's: a provider may give the phone number
    only there (OIDC Core 5.4). Userinfo about another subject is not taken (5.3.2)."""
    claims = dict(token["userinfo"])
    if "phone_number" not in claims and client.load_server_metadata().get("userinfo_endpoint"):
        extra = client.userinfo(token=token)
        if extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
    return claims


def finish() -> tuple[dict[str, Any], str]:
    """Back from the provider: Authlib checks `state` against the session, exchanges the code
    with the PKCE verifier and verifies the ID token (signature, issuer, audience, expiry,
    nonce). Returns the verified claims and the raw ID token; raises `Refused`."""
    client = _client()
    leeway = int(current_app.config.get("OIDC_LEEWAY", DEFAULT_LEEWAY))
    try:
        token = client.authorize_access_token(leeway=leeway)
        if "userinfo" not in token:
            raise MissingClaimError("id_token")
        return _with_userinfo(client, token), token["id_token"]
    except MismatchingStateError as exc:
        raise Refused(
            _("登录请求已失效或与本次登录不符（state 校验未通过），请重新登录。")
        ) from exc
    except ExpiredTokenError as exc:
        raise Refused(_("政务服务网返回的身份凭证已过期，请重新登录。")) from exc
    except InvalidClaimError as exc:
        if exc.claim == "nonce":
            raise Refused(
                _("身份凭证与本次登录请求不符（nonce 校验未通过），请重新登录。")
            ) from exc
        raise Refused(_("政务服务网返回的身份凭证未通过校验，请重新登录。")) from exc
    except JoseError as exc:
        raise Refused(_("政务服务网返回的身份凭证未通过校验，请重新登录。")) from exc
    except OAuthError as exc:
        if exc.error == "access_denied":
            raise Refused(_("您已在政务服务网取消登录。")) from exc
        current_app.logger.warning("OIDC login refused by the provider: %s", exc.error)
        raise Refused(_("政务服务网未完成登录，请重新登录。")) from exc
    except requests.RequestException as exc:
        current_app.logger.exception("OIDC provider unreachable")
        raise _unreachable() from exc


def end_session_url(id_token: str | None) -> str | None:
    """Where the provider ends its own session (RP-Initiated Logout), if it offers that; None
    when it does not, cannot be reached, or this session did not come from it."""
    client = current_app.extensions.get("jiati_oidc")
    if client is None or not id_token:
        return None
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=url_for("auth.login", _external=True),
            id_token_hint=id_token,
            client_id=client.client_id,
        )["url"]
    except (requests.RequestException, ValueError, KeyError):
        current_app.logger.exception("OIDC discovery failed at logout")
        return None


def csp_allowing(url: str) -> str:
    """The site's policy with the provider's origin among the form targets: the logout form's
    redirect to the provider is held to form-action by browsers."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin}")
