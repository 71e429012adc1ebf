"""Forms of the staff workbench: the clerk's window and the approvers' review.

Which actions exist and what they take is declared in `workflow.machine`; these forms only
carry the inputs (and the CSRF token) of the few shapes those declarations use.
"""

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from workflow.papers.documents import FOUR, KINDS


class ActionForm(FlaskForm):
    """Any trigger of the machine: the case version the page showed, plus the declared inputs
    (`items`, `reasons`, `amount`, `reason`) read by name from the request."""

    expected_version = HiddenField()


class CorrectionForm(ActionForm):
    """一次性告知: every one of the four documents may be ticked, each with what is wrong."""

    other = TextAreaField(
        _l("其他需补正的事项（每行一项）"), validators=[Optional(), Length(max=4000)]
    )

    @staticmethod
    def checklist() -> list[tuple[str, str]]:
        return [(kind, KINDS[kind].label) for kind in FOUR]


class OpinionForm(FlaskForm):
    verdict = RadioField(
        _l("本部门意见"),
        choices=[SelectChoice("agree", _l("同意")), SelectChoice("disagree", _l("不同意"))],
        validators=[DataRequired(_l("请选择同意或不同意。"))],
    )
    comment = TextAreaField(_l("意见说明（不同意时必填）"), validators=[Length(max=4000)])


class PaperVoteForm(FlaskForm):
    room = SelectField(_l("房号"), validators=[DataRequired(_l("请选择房号。"))])
    choice = RadioField(
        _l("表决意见"),
        choices=[
            SelectChoice("agree", _l("同意")),
            SelectChoice("object", _l("反对")),
            SelectChoice("abstain", _l("弃权")),
        ],
        validators=[DataRequired(_l("请选择表决意见。"))],
    )
    signature = StringField(
        _l("签名人姓名"), validators=[DataRequired(_l("请填写签名人姓名。")), Length(max=64)]
    )
    scan = FileField(_l("纸质表决扫描件（PDF 或图片，可选）"))
    # Signed by a family member for the owner (委托): the relationship and the power of attorney.
    proxy_relationship = SelectField(
        _l("代业主签署时：签名人与业主的关系"), validators=[Optional()]
    )
    proxy_document = FileField(_l("授权委托书（代签时必填，PDF 或图片）"))

    def __init__(self, *args: Any, relationships: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        """`relationships`: (code, label) pairs of the workflow's list, handed in by the view."""
        super().__init__(*args, **kwargs)
        self.proxy_relationship.choices = [SelectChoice("", _l("业主本人签署"))] + [
            SelectChoice(code, label) for code, label in relationships
        ]


class ObjectionForm(FlaskForm):
    room = SelectField(_l("房号（可不选）"), validators=[Optional()])
    text = TextAreaField(
        _l("异议内容"), validators=[DataRequired(_l("请填写异议内容。")), Length(max=4000)]
    )
    scan = FileField(_l("书面异议扫描件（PDF 或图片，可选）"))


class ReferForm(FlaskForm):
    """Refer an open objection to the mediator (调解): the button's CSRF token only."""


class MediationSessionForm(FlaskForm):
    held_on = DateField(_l("调解日期"), validators=[DataRequired(_l("请填写调解日期。"))])
    place = StringField(
        _l("调解地点"), validators=[DataRequired(_l("请填写调解地点。")), Length(max=200)]
    )
    attendees = StringField(
        _l("参加人员（用顿号或逗号分隔）"),
        validators=[DataRequired(_l("请填写参加人员。")), Length(max=1000)],
    )
    notes = TextAreaField(
        _l("调解情况（各方意见、提出的方案）"),
        validators=[DataRequired(_l("请填写调解情况。")), Length(max=4000)],
    )


class MediationOutcomeForm(FlaskForm):
    agreed = RadioField(
        _l("调解结果"),
        choices=[
            SelectChoice("yes", _l("达成一致：异议人撤回异议")),
            SelectChoice("no", _l("未达成一致")),
        ],
        validators=[DataRequired(_l("请选择调解结果。"))],
    )
    opinion = TextAreaField(_l("调解意见（未达成一致时必填）"), validators=[Length(max=4000)])
    withdrawal = FileField(_l("异议人签字的书面撤回（PDF 或图片；已通过本户链接撤回的不必上传）"))


class RectifyForm(FlaskForm):
    rectification = TextAreaField(
        _l("整改情况及答复"),
        validators=[DataRequired(_l("请写明整改情况。")), Length(max=4000)],
    )


class LetterRangeForm(FlaskForm):
    """A date range of issued letters (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("起始日期"), validators=[Optional()])
    end = DateField(_l("截止日期"), validators=[Optional()])


class OwnerRulingForm(FlaskForm):
    """A clerk's ruling on who owns which flat (法释〔2009〕7号第九条), with its grounds."""

    note = StringField(
        _l("依据（如房产证、购房合同）"),
        validators=[DataRequired(_l("请说明依据。")), Length(max=2000)],
    )


class InspectionForm(FlaskForm):
    """A yearly periodic inspection and its report, recorded by a clerk or by the 使用管理单位
    through its link (forms.public reuses it)."""

    inspected_on = DateField(_l("检验日期"), validators=[Optional()])
    result = SelectField(
        _l("检验结论"),
        choices=[SelectChoice("合格", _l("合格")), SelectChoice("不合格", _l("不合格"))],
    )
    report = FileField(_l("定期检验报告（PDF）"))


class ElevatorFilterForm(FlaskForm):
    """The register's filter (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    which = SelectField(
        _l("筛选"),
        choices=[
            SelectChoice("", _l("全部电梯")),
            SelectChoice("due", _l("30 天内到期检验")),
            SelectChoice("overdue", _l("检验已逾期")),
            SelectChoice("contract", _l("维保合同 30 天内到期")),
        ],
        validators=[Optional()],
    )


class PaperSupervisorForm(FlaskForm):
    """A representative's acceptance of the role, signed on paper at the window."""

    room = SelectField(_l("接受担任居民监督代表的住户"), validate_choice=False)


class HandlerForm(FlaskForm):
    """Who has the case at the viewer's desk: `op` is take (由我办理), release (放弃承办) or
    assign (the desk's lead, to `username`); `next` is the page to return to."""

    op = HiddenField()
    username = SelectField(_l("承办人"), validate_choice=False)
    next = HiddenField()


class AssignForm(FlaskForm):
    """The desk's lead hands the ticked cases of the queue (`case_ids`) to one person."""

    username = SelectField(_l("指派给"), validate_choice=False)
    next = HiddenField()


class SaveViewForm(FlaskForm):
    """Keep the queue's current filter (`query`, a query string) under a name, to open again in
    one tap; the queue is the person's own (the window's or the review's)."""

    name = StringField(
        _l("筛选名称"),
        validators=[DataRequired(_l("请给这个筛选起个名字。")), Length(max=40)],
    )
    query = HiddenField()


class DeleteViewForm(FlaskForm):
    """Delete a saved filter: the button's CSRF token only."""
