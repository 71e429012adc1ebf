"""Forms of the public guide's admin pages: the guide's free texts and the policy list."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from workflow.read.guide import TEXT_FIELDS, TEXT_MAX


class GuideTextsForm(FlaskForm):
    """One text area per free text of the guide (workflow.guide.TEXT_FIELDS)."""


for _key, _label, _default in TEXT_FIELDS:
    setattr(
        GuideTextsForm,
        _key,
        TextAreaField(_l(_label), validators=[Length(max=TEXT_MAX)], render_kw={"rows": 3}),
    )


class PolicyForm(FlaskForm):
    title = StringField(_l("文件名称"), validators=[Length(max=200)])
    issuer = StringField(_l("发布机关"), validators=[Length(max=100)])
    issued_on = StringField(
        _l("发布日期"), render_kw={"placeholder": "2024-06-01", "inputmode": "numeric"}
    )
    url = StringField(_l("链接（可选）"), render_kw={"type": "url", "inputmode": "url"})
    pdf = FileField(_l("或上传 PDF（可选）"), render_kw={"accept": "application/pdf"})
