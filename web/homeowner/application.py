"""The application: building and household roster, rows added, removed or pasted without
losing what was typed."""

from __future__ import annotations

from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from forms.homeowner import (
    ApplicationForm,
    parse_roster,
)
from workflow import services
from workflow.errors import NotFound, WorkflowError

from .common import (
    bp,
    case_of,
    done,
    version_of,
)
from .helpers import rt, show_errors

# — the application: building and household roster ——————————————————————————————


def _roster_buttons(form: ApplicationForm) -> tuple[ApplicationForm, str | None]:
    """Add a row, remove a row, or fill the roster from pasted lines, without saving.

    Returns the form to show again and a note for the owner; (form, None) means "save"."""
    op = request.form.get("op", "save")
    data = {
        k: form[k].data
        for k in ("community", "address", "building", "unit", "floors", "estimated_cost")
    }
    data["version"] = form.version.data
    rows = form.households.data
    if op == "add_row":
        rows.append({})
        note = _("已添加一行，请填写。")
    elif op.startswith("remove_row:"):
        try:
            index = int(op.split(":", 1)[1])
            removed = rows.pop(index)
        except (ValueError, IndexError):
            return form, None
        note = _("已删除第 %(n)s 行（%(room)s）。", n=index + 1, room=removed.get("room") or "空行")
    elif op == "paste":
        pasted = parse_roster(form.paste.data)
        if not pasted:
            form.paste.errors = [
                _("没有识别出住户。请每行一户，依次为：室号、楼层、面积、姓名、手机号。")
            ]
            return form, ""
        rows = pasted
        note = _("已从粘贴内容填入 %(n)s 户，请核对后保存。", n=len(pasted))
    else:
        return form, None
    data["households"] = rows
    return ApplicationForm(formdata=None, data=data), note


def _application_page(form: ApplicationForm, template_args: dict[str, Any]):
    """Save the application (create or update) or handle a roster button."""
    summary: list[tuple[str | None, str]] = []
    note = None
    if request.method == "POST":
        form, note = _roster_buttons(form)
        if note is None:
            data = form.application()
            # Blank rows are dropped before saving; show the rows as sent so that
            # "第 3 行" in a message is the third row on the page.
            if len(data["households"]) != len(form.households.entries):
                keep = {k: form[k].data for k in ("community", "address", "building", "unit")}
                keep.update(floors=form.floors.data, version=form.version.data)
                keep["estimated_cost"] = form.estimated_cost.data
                keep["households"] = data["households"] or [{}]
                form = ApplicationForm(formdata=None, data=keep)
            try:
                case_id = template_args["save"](data, version_of(form.version.data))
            except NotFound:
                raise
            except WorkflowError as exc:
                summary = show_errors(form, exc.messages)
            else:
                done(_("保存楼栋和住户名单"), case_id)
                return redirect(url_for(".case", case_id=case_id))
    status = 400 if summary else 200
    return render_template(
        "homeowner/application.html",
        subsidy_hint=_subsidy_hint(),
        form=form,
        summary=summary,
        note=note,
        **{k: v for k, v in template_args.items() if k != "save"},
    ), status


def _yuan_input(fen: int | None) -> str:
    return "" if not fen else f"{fen // 100}.{fen % 100:02d}"


def _subsidy_hint() -> str:
    """The subsidy the rule expects, beside the estimate (DESIGN §3.3)."""
    tiers = services.effective_settings(rt()).subsidy_tiers
    parts = [
        _("%(n)s 层及以上每台 %(y)s 元", n=floors, y=f"{amount:,}")
        if floors
        else _("其他每台 %(y)s 元", y=f"{amount:,}")
        for floors, amount in tiers
    ]
    return _("预计财政补贴：%(tiers)s，不超过实际造价，竣工验收后申请。", tiers="；".join(parts))


# Figures the public cost calculator left in the session ("start an application with these").
CALCULATOR_FIGURES = "calculator_figures"


@bp.route("/new", methods=["GET", "POST"])
def new():
    figures = session.get(CALCULATOR_FIGURES)

    def save(data: dict[str, Any], _version: int | None) -> int:
        case_id = services.create_case(rt(), current_user.id, data)
        if figures and figures.get("estimated_cost"):
            services.set_costs(
                rt(), current_user.id, case_id, figures["estimated_cost"], figures["coefficients"]
            )
        session.pop(CALCULATOR_FIGURES, None)
        return case_id

    form = ApplicationForm()
    if figures and request.method == "GET":
        # The rooms, floors and areas from the calculator; the owners' names are still to type.
        form = ApplicationForm(
            formdata=None,
            data={"floors": str(figures["floors"]), "households": figures["households"]},
        )
        flash(
            _("已带入费用计算器中的楼层、面积、预计造价和系数；请补全楼栋信息和业主姓名。"), "info"
        )
    return _application_page(form, {"save": save, "case": None})


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
def edit(case_id: int):
    case = case_of(case_id)
    if request.method == "POST":
        form = ApplicationForm()
    else:
        form = ApplicationForm(
            formdata=None,
            data={
                **{k: case[k] for k in ("community", "address", "building", "unit")},
                "street": case.get("street") or "",
                "floors": str(case["floors"]),
                "version": str(case["version"]),
                "estimated_cost": _yuan_input(case["costs"]["estimated_cost_fen"]),
                "households": [
                    {
                        "room": h["room"],
                        "floor": str(h["floor"]),
                        "area": h["area"],
                        "owner_name": h["owner_name"],
                        "phone": h["phone"] or "",
                        # Shown masked; sent back unchanged, the stored number is kept.
                        "id_number": h["id_number_masked"],
                    }
                    for h in case["households"]
                ],
            },
        )

    def save(data: dict[str, Any], version: int | None) -> int:
        services.update_case(rt(), current_user.id, case_id, data, expected_version=version)
        return case_id

    return _application_page(form, {"save": save, "case": case})
