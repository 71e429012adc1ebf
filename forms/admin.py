"""Forms of the admin area: accounts, settings, holidays."""

from flask_babel import lazy_gettext as _l
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

from workflow.data.settings import COST_SHARING, DEPARTMENTS, DESKS

ROLE_CHOICES = [
    SelectChoice("clerk", _l("窗口受理人员")),
    SelectChoice("approver", _l("审批人员")),
    SelectChoice("mediator", _l("调解员")),
    SelectChoice("admin", _l("管理员")),
    SelectChoice("homeowner", _l("业主")),
]
DEPARTMENT_CHOICES = [SelectChoice("", _l("（无）"))] + [
    SelectChoice(k, _l(v[0])) for k, v in DEPARTMENTS.items()
]


class UserCreateForm(FlaskForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请填写用户名。")), Length(max=64)]
    )
    name = StringField(_l("姓名"), validators=[Optional(), Length(max=64)])
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    department = SelectField(_l("部门（审批人员必选）"), choices=DEPARTMENT_CHOICES)
    street = StringField(_l("街道（调解员所属，可留空）"), validators=[Optional(), Length(max=32)])
    password = PasswordField(
        _l("初始密码（至少 10 位）"),
        validators=[
            DataRequired(_l("请设置密码。")),
            Length(min=10, max=256, message=_l("密码至少 10 位。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    must_change = BooleanField(_l("首次登录时须修改密码"), default=True)


class UserUpdateForm(FlaskForm):
    role = SelectField(_l("角色"), choices=ROLE_CHOICES)
    department = SelectField(_l("部门"), choices=DEPARTMENT_CHOICES)
    street = StringField(_l("街道（调解员）"), validators=[Optional(), Length(max=32)])
    active = BooleanField(_l("启用"))
    password = PasswordField(
        _l("重置密码（留空则不变）"),
        validators=[Optional(), Length(min=10, max=256, message=_l("密码至少 10 位。"))],
        render_kw={"autocomplete": "new-password"},
    )
    # The staff member's 政务服务网 (OpenID Connect) subject: their only way in through it.
    oidc_subject = StringField(
        _l("政务服务网账号标识（sub）"),
        validators=[Optional(), Length(max=255)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class SettingsForm(FlaskForm):
    publicity_days = IntegerField(_l("公示天数"), validators=[NumberRange(min=0)])
    acceptance_workdays = IntegerField(_l("受理期限（工作日）"), validators=[NumberRange(min=0)])
    review_workdays = IntegerField(_l("联合审查期限（工作日）"), validators=[NumberRange(min=0)])
    review_extension_max_workdays = IntegerField(
        _l("审查期限最多可延长（工作日）"), validators=[NumberRange(min=0)]
    )
    rating_rectify_workdays = IntegerField(
        _l("差评整改期限（工作日）"), validators=[NumberRange(min=0)]
    )
    participation = StringField(_l("参与表决比例（分数，如 2/3）"), validators=[DataRequired()])
    agreement = StringField(_l("同意比例（分数，如 3/4）"), validators=[DataRequired()])
    subsidy_tiers = TextAreaField(
        _l("补贴标准（每行：起始楼层 元/台，如 6 100000）"), validators=[DataRequired()]
    )
    required_departments = StringField(_l("参与联合审查的部门（逗号分隔的代码）"))
    lead_department = SelectField(
        _l("牵头部门"), choices=[SelectChoice(k, _l(v[0])) for k, v in DEPARTMENTS.items()]
    )
    upload_max_mb = IntegerField(_l("上传大小上限（MB）"), validators=[NumberRange(min=1)])
    city_name = StringField(_l("城市名称"), validators=[DataRequired(), Length(max=40)])
    authority_name = StringField(_l("发文机关名称"), validators=[DataRequired(), Length(max=100)])
    letter_prefixes = TextAreaField(_l("文号前缀（每行：文书种类=前缀）"), render_kw={"rows": 8})
    cost_sharing = SelectField(
        _l("费用分摊对象"), choices=[SelectChoice(k, _l(v[0])) for k, v in COST_SHARING.items()]
    )
    reconsideration_body = StringField(
        _l("行政复议机关"), validators=[DataRequired(), Length(max=100)]
    )
    court = StringField(_l("行政诉讼管辖法院"), validators=[DataRequired(), Length(max=100)])
    department_names = TextAreaField(_l("部门全称（每行：部门代码=全称）"))
    public_base_url = StringField(
        _l("对外访问地址（文书二维码中的地址）"), validators=[DataRequired(), Length(max=200)]
    )
    supervisors_min = IntegerField(
        _l("居民监督代表最少户数"), validators=[NumberRange(min=1, max=20)]
    )
    supervisors_max = IntegerField(
        _l("居民监督代表最多户数"), validators=[NumberRange(min=1, max=20)]
    )
    provident_fund_months = IntegerField(
        _l("公积金提取期限（使用登记后月数）"), validators=[NumberRange(min=1, max=120)]
    )
    retention_days = IntegerField(
        _l("办结后个人信息保存天数"), validators=[NumberRange(min=1, max=36500)]
    )
    privacy_request_workdays = IntegerField(
        _l("个人信息申请答复期限（工作日）"), validators=[NumberRange(min=1, max=60)]
    )
    authority_address = StringField(_l("主办单位地址"), validators=[Optional(), Length(max=200)])
    authority_phone = StringField(_l("主办单位电话"), validators=[Optional(), Length(max=40)])
    site_id = StringField(_l("政府网站标识码"), validators=[Optional(), Length(max=40)])
    icp_number = StringField(_l("ICP备案号"), validators=[Optional(), Length(max=60)])
    psb_number = StringField(_l("公安机关备案号"), validators=[Optional(), Length(max=60)])

    def lead_fields(self) -> list:
        """The desk leads' fields, one per desk (window first, then the departments)."""
        return [self[f"lead_{desk}"] for desk in DESKS]


# Each desk's lead (负责人), who assigns its cases: a username, checked by the service.
for _desk, (_label, _en) in DESKS.items():
    setattr(
        SettingsForm,
        f"lead_{_desk}",
        StringField(
            _l("%(desk)s负责人（用户名，可留空）", desk=_l(_label)),
            validators=[Optional(), Length(max=64)],
        ),
    )


class HolidayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请选择日期。"))])
    workday = BooleanField(_l("调休上班日（不勾选则为放假日）"))
    name = StringField(_l("名称（如 春节）"), validators=[Optional(), Length(max=64)])


class ConfirmForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class BarForm(FlaskForm):
    """Put an installer on the city's list of those barred from new work (黑名单)."""

    credit_code = StringField(
        _l("安装单位统一社会信用代码"), validators=[Optional(), Length(max=18)]
    )
    document_number = StringField(_l("决定文书文号"), validators=[Optional(), Length(max=64)])
    until = DateField(_l("禁止承接新工程至"), validators=[Optional()])
    reason = StringField(_l("理由"), validators=[Optional(), Length(max=500)])
