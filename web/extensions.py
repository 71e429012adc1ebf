"""Flask extensions, created here and bound in `create_app`."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, request, session
from flask_babel import Babel
from flask_login import LoginManager, UserMixin
from flask_wtf import CSRFProtect

LOCALES = {"zh_Hans_CN": "中文", "en": "English"}

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()


class CurrentUser(UserMixin):
    """The logged-in account as Flask-Login holds it."""

    def __init__(self, account):
        self.account = account
        self.id = account.id

    def __getattr__(self, name):
        return getattr(self.account, name)

    def get_id(self) -> str:
        # The session remembers the version it was opened under (see `load_user`).
        return f"{self.account.id}:{self.account.session_version}"


def select_locale() -> str:
    # Chinese by default (Flask-Babel normalises zh_CN to zh_Hans_CN); English on request.
    chosen = request.args.get("lang") or session.get("lang")
    return chosen if chosen in LOCALES else "zh_Hans_CN"


def init_app(app: Flask) -> None:
    from workflow.services import get_account

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        """The session's account while the session is still current: logout, a new password
        or an admin's "sign out" raise the account's session version in the database, which
        ends every older session at once, whichever worker serves it."""
        user_id, _, version = session_id.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        account = get_account(app.extensions["jiati"], int(user_id))
        if account is None or account.session_version != int(version):
            return None
        return CurrentUser(account)

    @app.before_request
    def remember_language():
        lang = request.args.get("lang")
        if lang in LOCALES:
            session["lang"] = lang

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "locales": LOCALES}

    @app.context_processor
    def inject_banners():
        """Warnings every page of an area shows while a setting is unfit for real use."""
        from workflow import services
        from workflow.data.settings import demo_publicity_warning, public_url_warning

        rt = app.extensions["jiati"]
        found = [demo_publicity_warning(rt.settings)]
        if request.blueprint == "admin":
            found.append(public_url_warning(services.effective_settings(rt)))
        return {"site_banners": [say(m) for m in found if m is not None]}

    app.jinja_env.filters["say"] = say


def in_reader_language(labels: Mapping[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """A workflow list of (Chinese, English) labels as (code, label) pairs for a select."""
    from flask_babel import get_locale

    en = str(get_locale()) == "en"
    return [(code, pair[1] if en else pair[0]) for code, pair in labels.items()]


def say(message) -> str:
    """A workflow Message in the reader's language."""
    from flask_babel import get_locale

    if str(get_locale()) == "en" and getattr(message, "en", ""):
        return message.en
    return getattr(message, "zh", str(message))
