"""A staff member's absence (请假) and stand-in (代理人): who may stand in is the service's to
say; the form carries the dates and the choice (and the CSRF token)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired


class AbsenceForm(FlaskForm):
    starts_on = DateField(_l("请假开始日期"), validators=[DataRequired(_l("请填写开始日期。"))])
    ends_on = DateField(
        _l("请假结束日期（含当天）"), validators=[DataRequired(_l("请填写结束日期。"))]
    )
    # Who may stand in is the service's rule: it refuses, in words, anyone else.
    stand_in = SelectField(
        _l("代理人"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("请选择代理人。"))],
    )


class ClearAbsenceForm(FlaskForm):
    """Withdrawing the absence: nothing but the CSRF token."""
