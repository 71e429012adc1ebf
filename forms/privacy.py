"""Forms of personal information: the notice an admin publishes, a person's request to correct
or delete, the clerk's written answer, and the reason a desk gives before seeing full data."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from workflow.read.personal import LEGAL_REASONS

REASON_LABELS = {
    "record_kept": _l("案卷依法应当保存（第四十七条）"),
    "vote_evidence": _l("业主共同决定的表决证据（第四十七条）"),
    "inaccurate_claim": _l("现有信息与登记材料一致（第四十六条）"),
}


class NoticeForm(FlaskForm):
    text = TextAreaField(_l("处理规则全文（段落之间空一行）"), render_kw={"rows": 18})


class PrivacyRequestForm(FlaskForm):
    kind = RadioField(
        _l("申请事项"),
        choices=[SelectChoice("correct", _l("更正信息")), SelectChoice("delete", _l("删除信息"))],
        default="correct",
    )
    text = TextAreaField(_l("要更正或删除的信息，以及理由"), render_kw={"rows": 4})


class AnswerForm(FlaskForm):
    outcome = SelectField(
        _l("办理结果"),
        choices=[SelectChoice("done", _l("已按申请办理")), SelectChoice("refused", _l("不予办理"))],
    )
    legal_reason = SelectField(
        _l("不予办理的法律依据"),
        choices=[SelectChoice("", _l("（办理时不填）"))]
        + [SelectChoice(k, REASON_LABELS[k]) for k in LEGAL_REASONS],
    )
    answer = TextAreaField(_l("书面答复"), render_kw={"rows": 3})


class RevealForm(FlaskForm):
    reason = StringField(_l("查看完整信息的事由"), render_kw={"autocomplete": "off"})
