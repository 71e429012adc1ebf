"""Logging in (registration forms belong to the homeowner's area)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp


class LoginForm(FlaskForm):
    username = StringField(
        _l("手机号或用户名"),
        validators=[DataRequired(_l("请填写手机号或用户名。")), Length(max=64)],
        render_kw={"autocomplete": "username", "inputmode": "text"},
    )
    password = PasswordField(
        _l("密码"),
        validators=[DataRequired(_l("请填写密码。"))],
        render_kw={"autocomplete": "current-password"},
    )


MOBILE = r"^1[3-9]\d{9}$"


class RegisterForm(FlaskForm):
    phone = StringField(
        _l("手机号"),
        validators=[
            DataRequired(_l("请填写手机号。")),
            Regexp(MOBILE, message=_l("请输入 11 位大陆手机号，例如 13800000000。")),
        ],
        render_kw={"autocomplete": "tel", "inputmode": "numeric", "type": "tel"},
    )
    name = StringField(
        _l("姓名"),
        validators=[DataRequired(_l("请填写姓名。")), Length(max=64, message=_l("姓名太长。"))],
        render_kw={"autocomplete": "name"},
    )
    password = PasswordField(
        _l("密码（至少 10 位）"),
        validators=[
            DataRequired(_l("请设置密码。")),
            Length(min=10, max=256, message=_l("密码至少 10 位。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("再次输入密码"),
        validators=[
            DataRequired(_l("请再次输入密码。")),
            EqualTo("password", message=_l("两次输入的密码不一致。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("当前密码"),
        validators=[DataRequired(_l("请填写当前密码。"))],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("新密码（至少 10 位，不要用常见密码）"),
        validators=[
            DataRequired(_l("请设置新密码。")),
            Length(min=10, max=256, message=_l("密码至少 10 位。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[
            DataRequired(_l("请再次输入新密码。")),
            EqualTo("password", message=_l("两次输入的密码不一致。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
