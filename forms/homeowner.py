"""The homeowner's forms. They only carry what was typed; the workflow services check it, so
every value comes back to the page exactly as the owner typed it when something is refused."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

ROSTER_COLUMNS = ("room", "floor", "area", "owner_name", "phone", "id_number")


class HouseholdForm(Form):
    """One row of the household roster (no CSRF of its own: it lives inside ApplicationForm)."""

    room = StringField(_l("室号"), render_kw={"autocomplete": "off"})
    floor = StringField(_l("楼层"), render_kw={"inputmode": "numeric", "autocomplete": "off"})
    area = StringField(
        _l("专有面积（m²）"), render_kw={"inputmode": "decimal", "autocomplete": "off"}
    )
    owner_name = StringField(_l("业主姓名"), render_kw={"autocomplete": "off"})
    phone = StringField(
        _l("手机号（在线签字时核对后四位）"),
        render_kw={"inputmode": "numeric", "type": "tel", "autocomplete": "off"},
    )
    # Optional: recognises one owner of several flats, who counts once among the owners.
    id_number = StringField(_l("身份证号（选填）"), render_kw={"autocomplete": "off"})


class ApplicationForm(FlaskForm):
    community = StringField(_l("小区名称"), render_kw={"autocomplete": "off"})
    address = StringField(
        _l("地址（区、街道、门牌号）"), render_kw={"autocomplete": "address-line1"}
    )
    street = StringField(_l("所在街道（选填）"), render_kw={"autocomplete": "off"})
    building = StringField(_l("楼栋号"), render_kw={"autocomplete": "off"})
    unit = StringField(_l("单元号"), render_kw={"autocomplete": "off"})
    floors = StringField(
        _l("楼层数（地上）"), render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    households = FieldList(FormField(HouseholdForm), min_entries=2)
    paste = TextAreaField(_l("从表格粘贴住户名单"))
    version = HiddenField()
    estimated_cost = StringField(
        _l("预计总造价（元）"), render_kw={"inputmode": "decimal", "autocomplete": "off"}
    )

    def application(self) -> dict[str, Any]:
        """What the services take: the building and the rows that are not entirely blank."""
        return {
            "community": self.community.data or "",
            "address": self.address.data or "",
            "street": self.street.data or "",
            "building": self.building.data or "",
            "unit": self.unit.data or "",
            "floors": self.floors.data or "",
            "households": filled_rows(self.households.data),
            "estimated_cost": (self.estimated_cost.data or "").strip(),
        }


def filled_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for row in rows:
        clean = {k: str(row.get(k) or "").strip() for k in ROSTER_COLUMNS}
        if any(clean.values()):
            out.append(clean)
    return out


_SPLIT = re.compile(r"\t|,|，")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def parse_roster(text: str) -> list[dict[str, str]]:
    """Rows copied from a spreadsheet: 室号, 楼层, 面积, 姓名, 手机号 separated by tabs or commas.

    A heading line (its floor and area columns are not numbers) is skipped; nothing is checked
    here beyond splitting, the service names each bad row."""
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in _SPLIT.split(line)]
        cells += [""] * (len(ROSTER_COLUMNS) - len(cells))
        row = dict(zip(ROSTER_COLUMNS, cells, strict=False))
        if not rows and not _NUMBER.match(row["floor"]) and not _NUMBER.match(row["area"]):
            continue  # the heading line
        rows.append(row)
    return rows


class CostsForm(FlaskForm):
    estimated_cost = StringField(
        _l("预计总造价（元）"), render_kw={"inputmode": "decimal", "autocomplete": "off"}
    )
    version = HiddenField()
    # The owners' agreement may share the yearly running cost by its own parts per room (份)
    # instead of the building cost's ratios; the parts are typed beside each room.
    own_running_shares = BooleanField(_l("运行费用按协议约定的份数分摊（不按造价比例）"))
    # Once anyone has voted, new figures restart the consultation: said and confirmed.
    restart = BooleanField(_l("我确认：已有的表决全部作废，各户按新的金额重新表决"))
    reason = StringField(_l("修改原因"), render_kw={"autocomplete": "off"})


class ManagementUnitForm(FlaskForm):
    """Who will run the elevator (使用管理单位), named in the owners' agreement with the costs,
    and the yearly running cost the households share by the same ratios."""

    unit_kind = SelectField(
        _l("使用管理单位类型"),
        choices=[
            SelectChoice("", _l("请选择")),
            SelectChoice("property", _l("物业服务企业")),
            SelectChoice("entrusted", _l("业主委托的管理单位")),
            SelectChoice("community", _l("社区")),
            SelectChoice("owners", _l("业主自行管理（指定联系人）")),
        ],
    )
    unit_name = StringField(
        _l("单位名称（业主自管的填联系人姓名）"), render_kw={"autocomplete": "organization"}
    )
    unit_credit_code = StringField(
        _l("统一社会信用代码（单位必填）"), render_kw={"autocomplete": "off", "maxlength": 18}
    )
    unit_phone = StringField(_l("联系电话"), render_kw={"type": "tel", "autocomplete": "tel"})
    running_cost = StringField(
        _l("预计每年运行费用（元，电费、维保、检验、保险）"),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )


class UploadForm(FlaskForm):
    kind = HiddenField()
    file = FileField(_l("选择文件"))
    next = HiddenField()


class SignForm(FlaskForm):
    owner_name = StringField(_l("业主姓名（与住户名单一致）"), render_kw={"autocomplete": "name"})
    phone_tail = StringField(
        _l("手机号后四位"),
        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off", "type": "tel"},
    )
    choice = RadioField(
        _l("您的意见"),
        choices=[
            SelectChoice("agree", _l("同意加装电梯")),
            SelectChoice("object", _l("反对")),
            SelectChoice("abstain", _l("弃权")),
        ],
        validate_choice=False,
    )
    signature = StringField(_l("签名：请输入您的完整姓名"), render_kw={"autocomplete": "off"})
    signature_image = HiddenField()
    # A family member signing for the owner (委托): who, how related, and the signed paper.
    proxy_name = StringField(_l("代签人姓名"), render_kw={"autocomplete": "name"})
    proxy_relationship = SelectField(_l("与业主的关系"), validate_choice=False)
    proxy_document = FileField(
        _l("业主签字的授权委托书（PDF 或照片）"),
        render_kw={"accept": "application/pdf,image/jpeg,image/png", "capture": "environment"},
    )

    def __init__(self, *args: Any, relationships: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        """`relationships`: (code, label) pairs of the workflow's list, handed in by the view."""
        super().__init__(*args, **kwargs)
        self.proxy_relationship.choices = [SelectChoice("", _l("请选择"))] + [
            SelectChoice(code, label) for code, label in relationships
        ]


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("异议内容"))


class RatingForm(FlaskForm):
    """好差评 of one act: five levels, a comment (needed for 不满意 and 非常不满意)."""

    level = RadioField(
        _l("您对本次办理的评价"),
        choices=[
            SelectChoice("5", _l("非常满意")),
            SelectChoice("4", _l("满意")),
            SelectChoice("3", _l("基本满意")),
            SelectChoice("2", _l("不满意")),
            SelectChoice("1", _l("非常不满意")),
        ],
    )
    comment = TextAreaField(_l("评价意见（选“不满意”“非常不满意”时必填）"))


class ReferForm(FlaskForm):
    """The applicant refers an open objection to mediation (调解): the CSRF token only."""


class WithdrawObjectionForm(FlaskForm):
    """The objector withdraws its own objection from its household link."""


class NoticeObjectionForm(FlaskForm):
    """An owner objects from the posted notice, naming the flat and proving who they are."""

    room = SelectField(_l("您家的室号"), validate_choice=False)
    owner_name = StringField(_l("业主姓名（与住户名单一致）"), render_kw={"autocomplete": "name"})
    phone_tail = StringField(
        _l("手机号后四位"),
        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off", "type": "tel"},
    )
    text = TextAreaField(_l("异议内容"))


def action_form(fields: list[dict[str, Any]], formdata: Any = None, english: bool = False):
    """A form for one trigger, built from the fields the declaration gives it."""

    class ActionForm(FlaskForm):
        version = HiddenField()

    for f in fields:
        label = f["label_en"] if english else f["label"]
        if not f["required"]:
            label += gettext("（选填）")
        if f["kind"] == "date":
            field = DateField(label, render_kw={"autocomplete": "off"})
        elif f["kind"] == "items":
            field = TextAreaField(label)
        elif f["kind"] == "money":
            field = StringField(label, render_kw={"inputmode": "decimal", "autocomplete": "off"})
        else:
            field = StringField(label, render_kw={"autocomplete": "off"})
        setattr(ActionForm, f["name"], field)
    return ActionForm(formdata=formdata) if formdata is not None else ActionForm()


class TrackForm(FlaskForm):
    """Progress lookup (办件查询): a GET form anyone may bookmark, so without a CSRF token."""

    class Meta:
        csrf = False

    reference = StringField(
        _l("案件编号"), render_kw={"autocomplete": "off", "autocapitalize": "characters"}
    )
    phone_tail = StringField(
        _l("申请人手机号后四位"),
        render_kw={"inputmode": "numeric", "maxlength": 4, "autocomplete": "off", "type": "tel"},
    )


class AgentForm(FlaskForm):
    """The applicant acting as the unit's agent (代办人), with the unit's authorisation."""

    agent_kind = SelectField(
        _l("代办人类型"),
        choices=[
            SelectChoice("", _l("请选择")),
            SelectChoice("community", _l("社区")),
            SelectChoice("property", _l("物业服务企业")),
            SelectChoice("installer", _l("电梯安装企业")),
            SelectChoice("owner", _l("本单元业主（代其他业主办理）")),
        ],
        validate_choice=False,
    )
    agent_name = StringField(_l("代办人名称"))
    agent_document = FileField(
        _l("业主委托代办的授权书（PDF 或照片）"),
        render_kw={"accept": "application/pdf,image/jpeg,image/png"},
    )


# — the residents (居民监督、居民验收) ————————————————————————————————————————————————


class SupervisorAnswerForm(FlaskForm):
    """A household accepts or declines the representative's role (the button says which)."""

    accept = HiddenField()


class ProblemForm(FlaskForm):
    text = TextAreaField(_l("问题描述"))
    photos = MultipleFileField(
        _l("照片（选填，最多 6 张）"),
        render_kw={"accept": "image/jpeg,image/png", "capture": "environment"},
    )


class CloseProblemForm(FlaskForm):
    solved = HiddenField()
    reason = StringField(_l("说明（未解决时必填）"))


OPINION_CHOICES = (
    SelectChoice("satisfied", _l("满意")),
    SelectChoice("basically_satisfied", _l("基本满意")),
    SelectChoice("dissatisfied", _l("不满意")),
)


class AcceptanceOpinionForm(FlaskForm):
    opinion = RadioField(
        _l("您对电梯加装施工结果的意见"), choices=OPINION_CHOICES, validate_choice=False
    )
    reason = TextAreaField(_l("理由（不满意时必填）"))


class SupervisorsForm(FlaskForm):
    """The applicant names the unit's representatives: ticked rooms become the whole list."""

    rooms = SelectMultipleField(
        _l("居民监督代表（勾选 3 至 5 户）"),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    reason = StringField(_l("更换原因（更换已接受的代表时必填）"))


class ProblemAnswerForm(FlaskForm):
    text = TextAreaField(_l("答复（已采取的措施）"))
    photos = MultipleFileField(_l("照片（选填）"), render_kw={"accept": "image/jpeg,image/png"})


class OpinionAnswerForm(FlaskForm):
    room = HiddenField()
    text = TextAreaField(_l("答复"))
