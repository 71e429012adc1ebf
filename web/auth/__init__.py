"""Logging in and out; `/` sends each role to its own start page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from forms.auth import LoginForm, PasswordChangeForm, RegisterForm
from workflow import services
from workflow.errors import WorkflowError
from workflow.services import authenticate, change_password, sign_out
from workflow.services import register as register_account

from .. import throttle
from ..extensions import CurrentUser, say
from . import oidc

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.context_processor
def oidc_login_offered():
    """The login page offers 政务服务网账号登录 only where the provider is configured."""
    return {"oidc_enabled": oidc.enabled()}


# Where each role starts; an area not installed falls back to the next.
START = {
    "homeowner": ("homeowner.cases",),
    "clerk": ("staff.queue",),
    "approver": ("staff.review_queue", "staff.queue"),
    "admin": ("admin.index",),
    "mediator": ("staff.mediations",),
}


def start_page(role: str) -> str:
    for endpoint in START.get(role, ()):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("auth.welcome")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(start_page(current_user.role))
    form = LoginForm()
    if form.validate_on_submit():
        throttle.check(throttle.LOGIN, form.username.data)
        account = authenticate(
            current_app.extensions["jiati"], form.username.data, form.password.data
        )
        if account is None:
            throttle.failed(throttle.LOGIN, form.username.data)
            form.password.errors.append(_("手机号（用户名）或密码不正确。"))
        else:
            login_user(CurrentUser(account))
            return redirect(_safe_next(request.args.get("next")) or start_page(account.role))
    return render_template("auth/login.html", form=form)


# 政务服务网账号登录 (OpenID Connect): both routes answer 404 unless OIDC_ISSUER is set.


@bp.route("/oidc/login")
def oidc_login():
    """To the provider's login page; it comes back to `oidc_callback`."""
    if not oidc.enabled():
        abort(404)
    session[oidc.NEXT] = _safe_next(request.args.get("next"))
    try:
        return oidc.begin(url_for("auth.oidc_callback", _external=True))
    except oidc.Refused as exc:
        return _oidc_refused(exc.text, exc.status)


@bp.route("/oidc/callback")
def oidc_callback():
    """A verified login: staff by the subject their admin linked, citizens by their verified
    mobile number (registered on their first visit)."""
    if not oidc.enabled():
        abort(404)
    try:
        claims, id_token = oidc.finish()
        account = services.oidc_account(
            current_app.extensions["jiati"],
            subject=str(claims["sub"]),
            phone=claims.get("phone_number"),
            phone_verified=claims.get("phone_number_verified") is True,
            name=str(claims.get("name") or ""),
        )
    except oidc.Refused as exc:
        return _oidc_refused(exc.text, exc.status)
    except WorkflowError as exc:
        return _oidc_refused("".join(say(m) for m in exc.messages), exc.status)
    target = session.pop(oidc.NEXT, None)
    login_user(CurrentUser(account))
    session[oidc.ID_TOKEN] = id_token  # the provider's logout wants it back (id_token_hint)
    return redirect(target or start_page(account.role))


def _oidc_refused(text: str, status: int):
    session.pop(oidc.NEXT, None)
    return render_template("auth/login.html", form=LoginForm(), oidc_error=text), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            account = register_account(
                current_app.extensions["jiati"], form.phone.data, form.password.data, form.name.data
            )
        except WorkflowError as exc:
            for m in exc.messages:
                target = form.phone if m.code.startswith("username") else form.password
                target.errors.append(say(m))
        else:
            login_user(CurrentUser(account))
            flash(_("注册成功，欢迎使用。"), "success")
            return redirect(start_page(account.role))
    notice = services.privacy.notice(current_app.extensions["jiati"])
    return render_template("auth/register.html", form=form, notice=notice)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    # Ends the session on the server too: a copy of the cookie no longer works anywhere.
    sign_out(current_app.extensions["jiati"], current_user.id)
    id_token = session.pop(oidc.ID_TOKEN, None)
    logout_user()
    flash(_("您已安全退出。"), "success")
    # Logged in through 政务服务网: its own session ends too, where it offers that.
    elsewhere = oidc.end_session_url(id_token)
    if elsewhere:
        response = redirect(elsewhere)
        # Browsers hold a form's redirect to the form-action policy: let this one leave.
        response.headers["Content-Security-Policy"] = oidc.csp_allowing(elsewhere)
        return response
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            account = change_password(
                current_app.extensions["jiati"],
                current_user.id,
                form.current.data,
                form.password.data,
            )
        except WorkflowError as exc:
            for m in exc.messages:
                (form.current if m.code == "current" else form.password).errors.append(say(m))
        else:
            # Every other session ended with the old password; this one goes on.
            login_user(CurrentUser(account))
            flash(_("密码已修改，其他设备上的登录已退出。"), "success")
            return redirect(start_page(account.role))
    return render_template("auth/password.html", form=form)


def must_change_password():
    """An account given an initial password chooses its own before doing anything else."""
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in ("auth.password", "auth.logout", "static")
        and request.blueprint != "api"
    ):
        flash(_("请先修改初始密码。"), "info")
        return redirect(url_for("auth.password"))
    return None


@bp.route("/welcome")
def welcome():
    return render_template("auth/welcome.html")


def index():
    if current_user.is_authenticated:
        return redirect(start_page(current_user.role))
    return redirect(url_for("auth.welcome"))


def init_app(app: Flask) -> None:
    oidc.init_app(app)
    app.register_blueprint(bp)
    app.before_request(must_change_password)
    app.add_url_rule("/", "index", index)
