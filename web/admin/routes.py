"""Views of the admin area: parse the form, call one service, render."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forms.admin import (
    BarForm,
    ConfirmForm,
    HolidayForm,
    SettingsForm,
    UserCreateForm,
    UserUpdateForm,
)
from workflow import services
from workflow.data.settings import ADMIN_KEYS, DEPARTMENTS, DESKS, LETTER_PREFIXES
from workflow.errors import WorkflowError
from workflow.read import installers as installer_record
from workflow.read import ratings as rating_figures
from workflow.read import registers, statistics
from workflow.read import workload as desk_loads
from workflow.rules.money import yuan
from workflow.rules.ratings import LEVELS

from ..auth import oidc
from ..extensions import say
from . import admin_only, bp
from .chart import monthly_bars


def rt():
    return current_app.extensions["jiati"]


def _refused(exc: WorkflowError) -> None:
    for m in exc.messages or ():
        flash(say(m), "error")


@bp.route("/")
@admin_only
def index():
    return render_template("admin/index.html", title=_("系统管理"))


# --- accounts ------------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users():
    form = UserCreateForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.create_user(
                rt(),
                current_user.id,
                username=form.username.data.strip(),
                password=form.password.data,
                role=form.role.data,
                department=form.department.data or None,
                name=form.name.data or "",
                must_change_password=bool(form.must_change.data),
                street=form.street.data or None,
            )
        except WorkflowError as exc:
            _refused(exc)
            status = exc.status
        else:
            flash(_("已创建账户 %(u)s。", u=form.username.data), "success")
            return redirect(url_for("admin.users"), 303)
    elif request.method == "POST":
        status = 400
    rows = registers.accounts(rt(), current_user.id)
    edit_forms = {}
    for u in rows:
        f = UserUpdateForm(formdata=None, prefix=f"u{u['id']}")
        f.role.data, f.department.data, f.active.data, f.oidc_subject.data = (
            u["role"],
            u["department"] or "",
            u["active"],
            u["oidc_subject"] or "",
        )
        f.street.data = u.get("street") or ""
        edit_forms[u["id"]] = f
    return (
        render_template(
            "admin/users.html",
            title=_("账户管理"),
            form=form,
            users=rows,
            edit_forms=edit_forms,
            sign_out_form=ConfirmForm(),
            departments={k: v[0] for k, v in DEPARTMENTS.items()},
            oidc_enabled=oidc.enabled(),
        ),
        status,
    )


@bp.route("/users/<int:user_id>", methods=["POST"])
@admin_only
def update_user(user_id: int):
    form = UserUpdateForm(prefix=f"u{user_id}")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for e in errors:
                flash(e, "error")
        return redirect(url_for("admin.users"), 303)
    try:
        services.update_user(
            rt(),
            current_user.id,
            user_id,
            active=bool(form.active.data),
            role=form.role.data,
            department=form.department.data or None,
            password=form.password.data or None,
            street=form.street.data or "",
        )
        if oidc.enabled():  # the field is on the page only then
            services.link_oidc(rt(), current_user.id, user_id, form.oidc_subject.data)
    except WorkflowError as exc:
        _refused(exc)
    else:
        flash(_("账户已更新。"), "success")
    return redirect(url_for("admin.users"), 303)


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@admin_only
def sign_out_user(user_id: int):
    """End every session and API token of the account at once (a lost phone, a leaver)."""
    if not ConfirmForm().validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return redirect(url_for("admin.users"), 303)
    try:
        account = services.sign_out_user(rt(), current_user.id, user_id)
    except WorkflowError as exc:
        _refused(exc)
    else:
        flash(_("已让 %(u)s 在所有设备上退出登录。", u=account.username), "success")
    return redirect(url_for("admin.users"), 303)


# --- settings ------------------------------------------------------------------------------


# Settings the form shows and posts as they are stored.
_PLAIN = (
    "supervisors_min", "supervisors_max", "provident_fund_months", "retention_days",
    "privacy_request_workdays", "authority_address", "authority_phone", "site_id", "icp_number",
    "psb_number",
)  # fmt: skip


def _settings_to_form(s) -> dict:
    return {
        "publicity_days": s.publicity_days,
        "acceptance_workdays": s.acceptance_workdays,
        "review_workdays": s.review_workdays,
        "review_extension_max_workdays": s.review_extension_max_workdays,
        "rating_rectify_workdays": s.rating_rectify_workdays,
        "participation": _fraction(s.participation),
        "agreement": _fraction(s.agreement),
        "subsidy_tiers": "\n".join(f"{floors} {amount}" for floors, amount in s.subsidy_tiers),
        "required_departments": ",".join(s.required_departments),
        "lead_department": s.lead_department,
        "upload_max_mb": s.upload_max_mb,
        "city_name": s.city_name,
        "authority_name": s.authority_name,
        "letter_prefixes": "\n".join(f"{k}={v}" for k, v in s.letter_prefixes.items()),
        "cost_sharing": s.cost_sharing,
        "reconsideration_body": s.reconsideration_body,
        "court": s.court,
        "department_names": "\n".join(f"{k}={v}" for k, v in s.department_names.items()),
        "public_base_url": s.public_base_url,
        **{k: getattr(s, k) for k in _PLAIN},
        **{f"lead_{desk}": s.desk_leads.get(desk, "") for desk in DESKS},
    }


def _fraction(f: Fraction) -> str:
    return f"{f.numerator}/{f.denominator}"


def _form_to_changes(form: SettingsForm) -> dict:
    """Form text to the shapes `change_settings` validates (tiers as pairs, prefixes a dict)."""
    changes = {k: getattr(form, k).data for k in ADMIN_KEYS if k != "desk_leads"}
    for k in ("authority_address", "authority_phone", "site_id", "icp_number", "psb_number"):
        changes[k] = (changes[k] or "").strip()
    # A blank lead leaves the desk's assigning to the admin.
    changes["desk_leads"] = {d: (form[f"lead_{d}"].data or "").strip() for d in DESKS}
    tiers = []
    for line in (form.subsidy_tiers.data or "").splitlines():
        parts = line.replace(",", " ").split()
        if parts:
            tiers.append(parts[:2] if len(parts) >= 2 else [parts[0], ""])
    changes["subsidy_tiers"] = tiers
    changes["letter_prefixes"] = _pairs(form.letter_prefixes.data, LETTER_PREFIXES)
    changes["department_names"] = _pairs(form.department_names.data, DEPARTMENTS)
    return changes


def _pairs(text: str | None, known) -> dict[str, str]:
    """`key=value` lines, known keys only (the rest keep their values)."""
    out = {}
    for line in (text or "").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            if k.strip() in known and v.strip():
                out[k.strip()] = v.strip()
    return out


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def settings():
    current = services.effective_settings(rt())
    form = SettingsForm(data=_settings_to_form(current))
    status = 200
    if form.validate_on_submit():
        try:
            services.change_settings(rt(), current_user.id, _form_to_changes(form))
        except WorkflowError as exc:
            _refused(exc)
            status = exc.status
        else:
            flash(_("设置已保存。"), "success")
            return redirect(url_for("admin.settings"), 303)
    elif request.method == "POST":
        status = 400
    return render_template(
        "admin/settings.html",
        title=_("系统设置"),
        form=form,
        departments={k: v[0] for k, v in DEPARTMENTS.items()},
        lead_hints=_lead_hints(),
    ), status


def _lead_hints() -> dict[str, str]:
    """Under each desk lead's field: the desk's people, by username, to pick from."""
    staff = desk_loads.desk_staff(rt(), current_user.id)
    none = _("（本岗位暂无在岗人员）")
    return {
        f"lead_{desk}": _("本岗位人员：")
        + ("、".join(f"{p['username']}（{p['name']}）" for p in people) or none)
        for desk, people in staff.items()
    }


# --- holidays ------------------------------------------------------------------------------


@bp.route("/holidays", methods=["GET", "POST"])
@admin_only
def holidays():
    form = HolidayForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.set_holiday(
                rt(),
                current_user.id,
                form.day.data,
                workday=bool(form.workday.data),
                name=form.name.data,
            )
        except WorkflowError as exc:
            _refused(exc)
            status = exc.status
        else:
            flash(_("已保存 %(d)s。", d=form.day.data.isoformat()), "success")
            return redirect(url_for("admin.holidays"), 303)
    elif request.method == "POST":
        status = 400
    rows = registers.holiday_rows(rt())
    return render_template(
        "admin/holidays.html",
        title=_("节假日"),
        form=form,
        rows=rows,
        remove_form=ConfirmForm(),
    ), status


@bp.route("/holidays/<day>/remove", methods=["POST"])
@admin_only
def remove_holiday(day: str):
    from datetime import date

    if not ConfirmForm().validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return redirect(url_for("admin.holidays"), 303)
    try:
        services.remove_holiday(rt(), current_user.id, date.fromisoformat(day))
    except (WorkflowError, ValueError) as exc:
        if isinstance(exc, WorkflowError):
            _refused(exc)
        else:
            flash(_("日期无效。"), "error")
    else:
        flash(_("已删除 %(d)s。", d=day), "success")
    return redirect(url_for("admin.holidays"), 303)


# --- statistics ----------------------------------------------------------------------------


@bp.route("/statistics")
@admin_only
def stats():
    f = statistics.figures(rt(), current_user.id)
    return render_template(
        "admin/statistics.html",
        title=_("统计"),
        f=f,
        chart=monthly_bars(f.months),
        total=yuan(f.subsidy_total_fen),
        paid=yuan(f.subsidy_paid_fen),
        by_community=[{**r, "amount": yuan(r["amount_fen"])} for r in f.subsidy_by_community],
        # 好差评: the published figures, and here also what the raters wrote.
        ratings=rating_figures.published(rt()),
        rating_comments=rating_figures.comments(rt()),
        levels=LEVELS,
    )


@bp.route("/statistics.svg")
@admin_only
def stats_svg():
    f = statistics.figures(rt(), current_user.id)
    svg = render_template("admin/_chart.svg", chart=monthly_bars(f.months), standalone=True)
    return Response(svg, mimetype="image/svg+xml")


@bp.route("/statistics.csv")
@admin_only
def stats_csv():
    f = statistics.figures(rt(), current_user.id)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "key", "label", "value", "extra"])
    for r in f.by_state:
        w.writerow(["cases_by_state", r["state"], r["label"], r["count"], ""])
    for m in f.months:
        w.writerow(["per_month", m["month"], "applications", m["applications"], ""])
        w.writerow(["per_month", m["month"], "approved", m["approved"], ""])
    w.writerow(["subsidy", "total", "yuan", yuan(f.subsidy_total_fen).replace(",", ""), ""])
    w.writerow(["subsidy_paid", "total", "yuan", yuan(f.subsidy_paid_fen).replace(",", ""),
                f.subsidy_paid_cases])  # fmt: skip
    w.writerow(["subsidy_paid", "approval_to_payment", "workdays",
                "" if f.payment_workdays is None else f.payment_workdays, ""])  # fmt: skip
    for r in f.subsidy_by_community:
        w.writerow(
            ["subsidy", r["community"], "yuan", yuan(r["amount_fen"]).replace(",", ""), r["cases"]]
        )
    for p in f.phase_workdays:
        w.writerow(
            [
                "phase_workdays",
                p["state"],
                p["label"],
                "" if p["average"] is None else p["average"],
                p["count"],
            ]
        )
    w.writerow(["overdue", "count", "", f.overdue, ""])
    # A BOM so that Excel, which clerks open CSV files with, reads the Chinese as UTF-8.
    return Response(
        "\ufeff" + buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=statistics.csv"},
    )


# --- installers barred from new work -------------------------------------------------------


@bp.route("/installers", methods=["GET", "POST"])
@admin_only
def installers():
    """Bar an installer (reason, document number, until when) or lift a bar; every bar ever
    made is listed, and each change is in the audit log."""
    form = BarForm()
    status = 200
    if request.method == "POST":
        try:
            services.bar_installer(
                rt(),
                current_user.id,
                form.credit_code.data or "",
                form.reason.data,
                form.document_number.data,
                form.until.data or request.form.get("until"),
            )
        except WorkflowError as exc:
            _refused(exc)
            status = exc.status
        else:
            flash(_("已列入禁止承接新工程名单。"), "success")
            return redirect(url_for("admin.installers"), 303)
    return render_template(
        "admin/installers.html",
        title=_("安装单位名单"),
        form=form,
        bars=installer_record.bar_history(rt()),
    ), status


@bp.route("/installers/<credit_code>/lift", methods=["POST"])
@admin_only
def lift_bar(credit_code: str):
    if not ConfirmForm().validate_on_submit():
        flash(_("表单已过期，请重试。"), "error")
        return redirect(url_for("admin.installers"), 303)
    try:
        services.lift_bar(rt(), current_user.id, credit_code)
    except WorkflowError as exc:
        _refused(exc)
    else:
        flash(_("已解除 %(c)s 的禁止。", c=credit_code), "success")
    return redirect(url_for("admin.installers"), 303)
