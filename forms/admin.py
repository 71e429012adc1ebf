"""Forms of the admin area: accounts, settings, holidays."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from workflow.settings import DEPARTMENTS

ROLE_CHOICES = [
    SelectChoice("clerk", "窗口受理人员"),
    SelectChoice("approver", "审批人员"),
    SelectChoice("admin", "管理员"),
    SelectChoice("homeowner", "业主"),
]
DEPARTMENT_CHOICES = [SelectChoice("", "（无）")] + [
    SelectChoice(k, v[0]) for k, v in DEPARTMENTS.items()
]


class UserCreateForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名。"), Length(max=64)])
    name = StringField("姓名", validators=[Optional(), Length(max=64)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    department = SelectField("部门（审批人员必选）", choices=DEPARTMENT_CHOICES)
    password = PasswordField(
        "初始密码（至少 8 位）",
        validators=[DataRequired("请设置密码。"), Length(min=8, message="密码至少 8 位。")],
        render_kw={"autocomplete": "new-password"},
    )


class UserUpdateForm(FlaskForm):
    role = SelectField("角色", choices=ROLE_CHOICES)
    department = SelectField("部门", choices=DEPARTMENT_CHOICES)
    active = BooleanField("启用")
    password = PasswordField(
        "重置密码（留空则不变）",
        validators=[Optional(), Length(min=8, message="密码至少 8 位。")],
        render_kw={"autocomplete": "new-password"},
    )


class SettingsForm(FlaskForm):
    publicity_days = IntegerField("公示天数", validators=[NumberRange(min=0)])
    acceptance_workdays = IntegerField("受理期限（工作日）", validators=[NumberRange(min=0)])
    review_workdays = IntegerField("联合审查期限（工作日）", validators=[NumberRange(min=0)])
    participation = StringField("参与表决比例（分数，如 2/3）", validators=[DataRequired()])
    agreement = StringField("同意比例（分数，如 3/4）", validators=[DataRequired()])
    subsidy_tiers = TextAreaField(
        "补贴标准（每行：起始楼层 元/台，如 6 100000）", validators=[DataRequired()]
    )
    required_departments = StringField("参与联合审查的部门（逗号分隔的代码）")
    lead_department = SelectField(
        "牵头部门", choices=[SelectChoice(k, v[0]) for k, v in DEPARTMENTS.items()]
    )
    upload_max_mb = IntegerField("上传大小上限（MB）", validators=[NumberRange(min=1)])
    authority_name = StringField("发文机关名称", validators=[DataRequired(), Length(max=100)])
    letter_prefixes = TextAreaField("文号前缀（每行：文书种类=前缀）")


class HolidayForm(FlaskForm):
    day = DateField("日期", validators=[DataRequired("请选择日期。")])
    workday = BooleanField("调休上班日（不勾选则为放假日）")
    name = StringField("名称（如 春节）", validators=[Optional(), Length(max=64)])


class ConfirmForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""
