"""Consent links and quorum, cost sharing, the public notice and the documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from forms.homeowner import (
    CostsForm,
    ManagementUnitForm,
    ReferForm,
    UploadForm,
)
from workflow import services
from workflow.errors import Message, NotFound, WorkflowError
from workflow.papers.documents import KINDS
from workflow.process.states import STATE
from workflow.read import money as money_read
from workflow.rules.money import yuan

from ..extensions import say
from .common import (
    CHOICE_LABELS,
    actions_of,
    bp,
    case_of,
    done,
    triggers_of,
    upload_form,
    with_inline_forms,
)
from .helpers import english, pick, qr_svg, rt, show_errors

DOC_STATUS = {
    "preview": _l("提交时自动生成"),
    "generated": _l("已生成"),
    "uploaded": _l("已上传"),
    "missing": _l("尚未上传"),
}  # Sections of the documents page: which uploads go with which next step of the owner.
PRE_SUBMISSION = {"start_consultation", "finish_consultation", "submit", "resubmit"}
LATER_UPLOADS = {
    "start_construction": ("installation_notice",),
    "report_completion": ("inspection_report", "equipment_registration", "acceptance_report"),
    "apply_subsidy": ("invoice",),
}

# — consent consultation ————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>/consent")
def consent(case_id: int):
    c = case_of(case_id)
    links = []
    shares = c["costs"]["shares_fen"] if c["costs"]["estimated_cost_fen"] else {}
    ids = {h["room"]: str(h["id"]) for h in c["households"]}
    for link in services.signing_links(rt(), current_user.id, case_id):
        url = url_for("public.sign", token=link["token"], _external=True)
        text = _(
            "%(name)s您好：%(address)s加装电梯意见征询，请打开链接表决签字：%(url)s",
            name=link["owner_name"],
            address=f"{c['community']}{c['building']}{c['unit']}",
            url=url,
        )
        links.append(
            {
                **link,
                "url": url,
                "qr": qr_svg(url, scale=3),
                "sms": f"sms:{link['phone']}?body={_quote(text)}" if link["phone"] else None,
                "choice": str(CHOICE_LABELS[link["voted"]]) if link["voted"] else None,
                "share": yuan(shares[ids[link["room"]]]) if shares.get(ids[link["room"]]) else None,
            }
        )
    q = c["quorum"]
    ratios = [
        (_("参与表决的专有面积"), q["participation_area"], q["thresholds"]["participation"]),
        (_("参与表决的业主人数"), q["participation_count"], q["thresholds"]["participation"]),
        (_("同意的专有面积（占参与表决）"), q["agree_area"], q["thresholds"]["agreement"]),
        (_("同意的业主人数（占参与表决）"), q["agree_count"], q["thresholds"]["agreement"]),
    ]
    return render_template(
        "homeowner/consent.html",
        c=c,
        links=links,
        ratios=ratios,
        missing=q["missing_en"] if english() else q["missing"],
        voting_open="finish_consultation" in triggers_of(c),
        actions=with_inline_forms(
            c, [a for a in actions_of(c) if a["trigger"] == "finish_consultation"]
        ),
    )


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


# — cost sharing ——————————————————————————————————————————————————————————————


@bp.route("/cases/<int:case_id>/costs", methods=["GET", "POST"])
def costs(case_id: int):
    c = case_of(case_id)
    editable = bool(triggers_of(c) & {"start_consultation", "finish_consultation"})
    form = CostsForm()
    coefs = dict(c["costs"]["coefficients"])
    summary: list[tuple[str | None, str]] = []
    coef_errors: dict[str, str] = {}
    comp_errors: dict[str, str] = {}
    votes_in = sum(1 for h in c["households"] if h["vote"])
    received = c["costs"]["compensation_received_fen"]
    comp = {
        str(h["id"]): yuan(received.get(str(h["id"]), 0)).replace(",", "")
        if received.get(str(h["id"]))
        else ""
        for h in c["households"]
    }
    agreed = c["costs"]["running_cost_shares"] or {}
    parts = {str(h["id"]): str(agreed.get(h["room"], "") or "") for h in c["households"]}
    parts_errors: dict[str, str] = {}
    unit_form = ManagementUnitForm()
    unit_open = services.before_completion(c["state"])
    if request.method == "POST" and request.form.get("part") == "unit":
        summary = _save_unit(case_id, unit_form)
        if not summary:
            done(_("保存电梯使用管理单位"), case_id)
            return redirect(url_for(".case", case_id=case_id))
    elif request.method == "POST":
        coefs = {f: request.form.get(f"coefficient_{f}", "") for f in coefs}
        comp = {k: request.form.get(f"compensation_{k}", "").strip() for k in comp}
        parts = {k: request.form.get(f"running_part_{k}", "").strip() for k in parts}
        try:
            services.set_costs(
                rt(),
                current_user.id,
                case_id,
                form.estimated_cost.data,
                coefs,
                restart_consultation=bool(form.restart.data),
                reason=form.reason.data or "",
                compensation={h["room"]: comp[str(h["id"])] for h in c["households"]},
                # Unticked, the running cost goes back to the building cost's ratios.
                running_shares=(
                    {h["room"]: parts[str(h["id"])] for h in c["households"]}
                    if form.own_running_shares.data
                    else {}
                ),
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            for m in exc.messages:
                if m.code.startswith("coefficient_"):
                    floor = m.code.split("_", 1)[1]
                    coef_errors[floor] = say(m)
                    summary.append((f"coefficient_{floor}", say(m)))
                elif m.code.startswith("compensations."):
                    room = m.code.split(".", 1)[1]
                    hid = next((str(h["id"]) for h in c["households"] if h["room"] == room), "")
                    comp_errors[hid] = say(m)
                    summary.append((f"compensation_{hid}", say(m)))
                elif m.code.startswith("running_cost_shares."):
                    room = m.code.split(".", 1)[1]
                    hid = next((str(h["id"]) for h in c["households"] if h["room"] == room), "")
                    parts_errors[hid] = say(m)
                    summary.append((f"running_part_{hid}", say(m)))
                else:
                    summary += show_errors(form, (m,))
        else:
            if form.restart.data and votes_in:
                done(
                    _(
                        "修改费用，意见征询重新开始（已有的表决已作废，请通知各户按新的金额重新表决）"
                    ),
                    case_id,
                )
            else:
                done(_("保存费用分摊"), case_id)
            return redirect(url_for(".case", case_id=case_id))
    if request.method == "GET" or request.form.get("part") == "unit":
        fen = c["costs"]["estimated_cost_fen"]
        form.estimated_cost.data = yuan(fen).replace(",", "") if fen else ""
        form.own_running_shares.data = bool(agreed)
    if request.method == "GET" or request.form.get("part") != "unit":
        unit = c["management_unit"] or {}
        unit_form.unit_kind.data = unit.get("kind", "")
        unit_form.unit_name.data = unit.get("name", "")
        unit_form.unit_credit_code.data = unit.get("credit_code", "")
        unit_form.unit_phone.data = unit.get("phone", "")
        running = c["running_cost_fen"]
        unit_form.running_cost.data = yuan(running).replace(",", "") if running else ""
    shares = c["costs"]["shares_fen"]
    paid = c["costs"]["compensation_paid_fen"]
    running = c["costs"]["running_shares_fen"]
    rows = [
        {
            "id": str(h["id"]),
            "paid": yuan(paid.get(str(h["id"]), 0)) if paid.get(str(h["id"])) else None,
            "received": (
                yuan(received.get(str(h["id"]), 0)) if received.get(str(h["id"])) else None
            ),
            "room": h["room"],
            "floor": h["floor"],
            "area": h["area"],
            "owner_name": h["owner_name"],
            "coefficient": c["costs"]["coefficients"].get(str(h["floor"]), "0"),
            "share": yuan(shares.get(str(h["id"]), 0)),
            "pays": bool(shares.get(str(h["id"]), 0)),
            "running": yuan(running[str(h["id"])]) if running.get(str(h["id"])) else None,
            "running_parts": agreed.get(h["room"], 0) if agreed else None,
        }
        for h in c["households"]
    ]
    money = money_read.case_bills(rt(), current_user.id, case_id)
    bills = [
        {
            **b,
            **{k: yuan(b[k]) for k in money_read.FIGURES},
            "running": yuan(b["running_share_fen"]) if b["running_share_fen"] is not None else None,
            "certificate_url": _document_url(b["certificate_id"]) if b["certificate_id"] else None,
        }
        for b in money["rows"]
    ]
    return render_template(
        "homeowner/costs.html",
        money=money,
        bills=bills,
        c=c,
        form=form,
        editable=editable,
        coefs=coefs,
        coef_errors=coef_errors,
        comp=comp,
        comp_errors=comp_errors,
        parts=parts,
        parts_errors=parts_errors,
        rows=rows,
        total=yuan(sum(shares.values())),
        estimated=yuan(c["costs"]["estimated_cost_fen"] or 0),
        subsidy=yuan(c["costs"]["subsidy_fen"]),
        owners_pay=yuan(c["costs"]["owners_pay_fen"]),
        summary=summary,
        votes_in=votes_in,
        unit_form=unit_form,
        unit_open=unit_open,
        unit=c["management_unit"],
        unit_label=services.unit_label((c["management_unit"] or {}).get("kind")),
    ), (400 if summary else 200)


def _save_unit(case_id: int, form: ManagementUnitForm) -> list[tuple[str | None, str]]:
    """Save who runs the elevator; the refusals, each beside its field, or nothing."""
    unit = {
        "kind": form.unit_kind.data,
        "name": form.unit_name.data,
        "credit_code": form.unit_credit_code.data,
        "phone": form.unit_phone.data,
    }
    try:
        services.set_management_unit(
            rt(), current_user.id, case_id, unit, form.running_cost.data or None
        )
    except NotFound:
        raise
    except WorkflowError as exc:
        return show_errors(
            form,
            tuple(
                Message(m.code.replace("management_unit.", "unit_"), m.zh, m.en)
                for m in exc.messages
            ),
        )
    return []


# — public notice ————————————————————————————————————————————————————————————


def _publicity(c: dict[str, Any]) -> dict[str, Any]:
    p = dict(c["publicity"])
    if p["end"]:
        end = datetime.fromisoformat(p["end"])
        p["days_left"] = max((end.date() - rt().clock().date()).days, 0)
        p["start_text"] = p["start"].replace("T", " ")
        p["end_text"] = p["end"].replace("T", " ")
    return p


def _notice_page(case_id: int, upload_errors: dict[str, list[str]] | None = None):
    c = case_of(case_id)
    open_uploads = bool(triggers_of(c) & {"submit", "resubmit"})
    return render_template(
        "homeowner/notice.html",
        c=c,
        p=_publicity(c),
        photo=c["other_documents"].get("notice_photo"),
        upload=upload_form("notice_photo", "notice") if open_uploads else None,
        upload_errors=(upload_errors or {}).get("notice_photo", []),
        # The applicant may refer an open objection to mediation while objections are taken.
        refer_form=ReferForm(formdata=None) if "objections" in STATE[c["state"]].tags else None,
    ), (400 if upload_errors else 200)


@bp.route("/cases/<int:case_id>/notice")
def notice(case_id: int):
    return _notice_page(case_id)


@bp.route("/cases/<int:case_id>/notice/print")
def notice_print(case_id: int):
    c = case_of(case_id)
    url = url_for("public.notice", key=c["reference"], _external=True)
    agree = sum(1 for h in c["households"] if h["vote"] and h["vote"]["choice"] == "agree")
    return render_template(
        "public/notice_print.html",
        c=c,
        p=_publicity(c),
        qr=qr_svg(url, scale=4),
        url=url,
        agree=agree,
        estimated=yuan(c["costs"]["estimated_cost_fen"])
        if c["costs"]["estimated_cost_fen"]
        else None,
        subsidy=yuan(c["costs"]["subsidy_fen"]),
        shares=_share_rows(c),
    )


def _share_rows(c: dict[str, Any]) -> list[dict[str, Any]]:
    """The sharing table as the agreement prints it: the same figures, flat by flat."""
    shares = c["costs"]["shares_fen"]
    return [
        {
            "room": h["room"],
            "floor": h["floor"],
            "area": h["area"],
            "coefficient": c["costs"]["coefficients"].get(str(h["floor"]), "0"),
            "share": yuan(shares[str(h["id"])]) if shares.get(str(h["id"])) else None,
        }
        for h in c["households"]
    ]


# — documents ——————————————————————————————————————————————————————————————


def _document_url(document_id: int | None) -> str | None:
    """Where a stored document opens (the letters area serves it to the applicant and staff)."""
    if document_id is None or "letters.document" not in current_app.view_functions:
        return None
    return url_for("letters.document", document_id=document_id)


def _documents_page(case_id: int, upload_errors: dict[str, list[str]] | None = None):
    c = case_of(case_id)
    triggers = triggers_of(c)
    before = bool(triggers & PRE_SUBMISSION)
    four = []
    for kind, d in c["documents"].items():
        four.append(
            {
                **d,
                "name": pick(d, "label"),
                "status_text": str(DOC_STATUS.get(d["status"], d["status"])),
                "upload": upload_form(kind, "documents") if before else None,
                "url": _document_url(d["document_id"])
                or (
                    url_for("letters.document_preview", case_id=case_id, kind=kind)
                    if d["status"] == "preview"
                    else None
                ),
            }
        )
    later = [kind for t, kinds in LATER_UPLOADS.items() if t in triggers for kind in kinds]
    return render_template(
        "homeowner/documents.html",
        c=c,
        four=four,
        later=[
            (
                k,
                c["other_documents"].get(k),
                _document_url((c["other_documents"].get(k) or {}).get("document_id")),
                upload_form(k, "documents"),
                pick(KINDS[k].__dict__, "label"),
            )
            for k in later
        ],
        others=[
            {**d, "kind": k, "url": _document_url(d["document_id"])}
            for k, d in c["other_documents"].items()
            if k not in later
        ],
        upload_errors=upload_errors or {},
    ), (400 if upload_errors else 200)


@bp.route("/cases/<int:case_id>/documents")
def documents(case_id: int):
    return _documents_page(case_id)


@bp.route("/cases/<int:case_id>/upload", methods=["POST"])
def upload(case_id: int):
    form = UploadForm()
    kind = form.kind.data or ""
    back = form.next.data if form.next.data in ("documents", "notice", "act") else "documents"
    file = form.file.data
    errors: list[str] = []
    if not file or not file.filename:
        errors = [_("请先选择要上传的文件。")]
    else:
        try:
            services.upload_document(
                rt(), current_user.id, case_id, kind, file.read(), file.filename
            )
        except NotFound:
            raise
        except WorkflowError as exc:
            errors = [say(m) for m in exc.messages]
    if not errors:
        done(_("上传%(what)s", what=pick(KINDS[kind].__dict__, "label")), case_id)
        if back == "act":
            return redirect(url_for(".act", case_id=case_id, trigger="apply_subsidy"))
        return redirect(url_for(f".{back}", case_id=case_id))
    if back == "notice":
        return _notice_page(case_id, {kind: errors})
    if back == "act":
        for e in errors:
            flash(e, "error")
        return redirect(url_for(".act", case_id=case_id, trigger="apply_subsidy"))
    return _documents_page(case_id, {kind: errors})
