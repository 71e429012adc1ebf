"""What the staff pages show, prepared so the templates decide nothing."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from forms.staff import (
    ActionForm,
    CorrectionForm,
    ObjectionForm,
    OpinionForm,
    OwnerRulingForm,
    PaperSupervisorForm,
    PaperVoteForm,
    ReferForm,
)
from workflow import services
from workflow.data.settings import DEPARTMENTS
from workflow.papers.documents import KINDS as DOCUMENT_KINDS
from workflow.process.machine import ITEMS, TRANSITION, TRANSITIONS
from workflow.process.states import STATE
from workflow.read import cases as queries
from workflow.read import workload as desk_loads
from workflow.rules.money import yuan
from workflow.rules.subsidy import subsidy_cap

from ..extensions import in_reader_language

# Recorded facts in the history that are not transitions of the machine.
FACTS = {
    "case_created": ("创建申请", "Application created"),
    "case_updated": ("修改申请", "Application changed"),
    "costs_set": ("填写造价", "Costs set"),
    "vote": ("表决", "Vote"),
    "objection": ("异议", "Objection"),
    "objection_resolved": ("异议处理", "Objection resolved"),
    "opinion": ("部门意见", "Department opinion"),
    "upload": ("上传材料", "Upload"),
    "consultation_restarted": ("修改造价，重新征询", "Consultation restarted on new figures"),
    "owners_marked": ("认定为同一业主", "Flats marked as one owner's"),
    "owner_separated": ("认定为单独业主", "Flat's owner counted apart"),
    "standing_vote": ("登记有效表决意见", "Standing vote recorded"),
    "handler": ("承办人变更", "Handler changed"),
    "management_unit_set": ("填写电梯使用管理单位", "Who runs the elevator named"),
    "inspection": ("登记定期检验", "Periodic inspection recorded"),
    "supervisors_named": ("指定居民监督代表", "Residents' representatives named"),
    "supervisor_accepted": ("居民监督代表接受", "Representative accepted"),
    "supervisor_declined": ("谢绝担任居民监督代表", "Representative declined"),
    "problem_reported": ("居民反映问题", "Problem reported"),
    "problem_answered": ("答复居民问题", "Problem answered"),
    "problem_closed": ("问题已解决", "Problem closed"),
    "problem_kept_open": ("问题仍未解决", "Problem kept open"),
    "acceptance_opinion": ("居民验收意见", "Residents' acceptance opinion"),
    "acceptance_answered": ("答复不满意意见", "Dissatisfaction answered"),
    "objection_withdrawn": ("异议人撤回异议", "Objection withdrawn"),
    "mediation_referred": ("异议提交调解", "Objection referred to mediation"),
    "mediation_session": ("调解", "Mediation session"),
    "mediation_outcome": ("调解结束（调解意见书）", "Mediation ended (record issued)"),
    "rating": ("办理评价", "Rating"),
    "rating_rectified": ("差评整改答复", "Bad rating answered"),
    "rating_followup": ("整改回访评价", "Answer rated"),
}


# The audit log's fields: a transition's inputs carry their labels in the declaration; the
# facts recorded beside the machine are named here. Fields not named are not shown.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    **{f.name: (f.label, f.label_en) for t in TRANSITIONS for f in t.fields},
    "community": ("小区", "Community"),
    "address": ("地址", "Address"),
    "building": ("楼栋", "Building"),
    "unit": ("单元", "Unit"),
    "floors": ("楼层数", "Floors"),
    "households": ("住户", "Households"),
    "estimated_cost_fen": ("预计总造价（元）", "Estimated cost (yuan)"),
    "coefficients": ("分摊系数", "Sharing coefficients"),
    "room": ("房号", "Flat"),
    "choice": ("表决意见", "Vote"),
    "channel": ("方式", "Channel"),
    "document": ("材料", "Document"),
    "department": ("部门", "Department"),
    "verdict": ("意见", "Opinion"),
    "comment": ("说明", "Comment"),
    "round": ("轮次", "Round"),
    "text": ("内容", "Text"),
    "resolution": ("处理结果", "Resolution"),
    "held_on": ("调解日期", "Held on"),
    "agreed": ("达成一致", "Agreed"),
    "level": ("评价等级", "Level"),
    "letters": ("文书", "Letters"),
    "desk": ("岗位", "Desk"),
    "handler": ("承办人", "Handler"),
    "previous": ("原承办人", "Previous handler"),
}
VALUE_LABELS: dict[str, tuple[str, str]] = {
    "agree": ("同意", "agree"),
    "object": ("反对", "object"),
    "abstain": ("弃权", "abstain"),
    "disagree": ("不同意", "disagree"),
    "paper": ("书面", "on paper"),
    "online": ("在线", "online"),
    "link": ("在线", "online"),
}


def mask_account(text: str | None) -> str:
    """A bank account with all but its last 4 digits hidden; the payee's name (and a room
    number in it) stays."""
    if not text:
        return ""

    def hide(m: re.Match) -> str:
        run = m.group(0)
        keep = sum(ch.isdigit() for ch in run) - 4
        out = []
        for ch in run:
            if ch.isdigit() and keep > 0:
                keep -= 1
                out.append("*")
            else:
                out.append(ch)
        return "".join(out)

    # An account number: eight or more digits, perhaps grouped by spaces or hyphens.
    return re.sub(r"\d(?:[ -]?\d){7,}", hide, text)


def _value(key: str, v: Any, en: bool, settings: Any, show_account: bool) -> str:
    if key == "households" and isinstance(v, list):
        return f"{len(v)} households" if en else f"{len(v)} 户"
    if key == "coefficients" and isinstance(v, dict):
        return ", ".join(f"{f}F {c}" if en else f"{f} 层 {c}" for f, c in v.items())
    if key.endswith("_fen") and isinstance(v, int):
        return str(yuan(v))
    if key == "document" and v in DOCUMENT_KINDS:
        k = DOCUMENT_KINDS[v]
        return k.label_en if en else k.label
    if key == "department":
        return DEPARTMENTS.get(v, (v, v))[1 if en else 0]
    if key == "payee" and not show_account:
        return mask_account(str(v))
    if key == "items" and isinstance(v, list):
        return "；".join(str(i.get("text", i) if isinstance(i, dict) else i) for i in v)
    if isinstance(v, bool):
        return ("yes" if v else "no") if en else ("是" if v else "否")
    if isinstance(v, list):
        return "、".join(str(i) for i in v)
    if isinstance(v, str) and v in VALUE_LABELS:
        return VALUE_LABELS[v][1 if en else 0]
    return str(v)


def history_facts(
    payload: Mapping[str, Any] | None, en: bool, settings: Any, show_account: bool
) -> list[tuple[str, str]]:
    """An audit event's content as (label, value) pairs in the reader's language."""
    out = []
    for key, v in (payload or {}).items():
        if v in (None, "", [], {}) or key not in FIELD_LABELS:
            continue
        out.append((FIELD_LABELS[key][1 if en else 0], _value(key, v, en, settings, show_account)))
    return out


def _locale():
    from flask_babel import get_locale

    return get_locale()


# A queue's filters, in the order its links and saved filters carry them.
FILTERS = ("q", "state", "community", "street", "handler", "due")
# `handler`: "me", "none", or a username (the lead's view of one person's cases).
HANDLER = re.compile(r"[\w.@+-]{1,64}")


def queue_args(args: Mapping[str, str]) -> dict[str, Any]:
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    handler = (args.get("handler") or "").strip()
    return {
        "q": (args.get("q") or "").strip()[:100] or None,
        "state": args.get("state") or None,
        "community": args.get("community") or None,
        "street": (args.get("street") or "").strip()[:32] or None,
        "handler": handler if HANDLER.fullmatch(handler) else None,
        "due": args.get("due") if args.get("due") in queries.DUE_FILTERS else None,
        "page": page,
        # Keyset positions from the pager's links (queries.list_cases); opaque, checked there.
        "after": (args.get("after") or "").strip()[:200] or None,
        "before": (args.get("before") or "").strip()[:200] or None,
    }


def filter_args(args: Mapping[str, Any]) -> dict[str, str]:
    """The filters in use (no page position): what links, the pager and saved filters carry."""
    return {k: args[k] for k in FILTERS if args.get(k)}


def filter_query(args: Mapping[str, str]) -> str:
    """A query string as a saved filter keeps it: only the known filters, checked again."""
    return urlencode(filter_args(queue_args(args)))


def quick_filters(filters: Mapping[str, str]) -> list[dict[str, Any]]:
    """The one-tap filters above a queue; tapping one that is on turns it off."""
    out = []
    for key, value, label in (
        ("handler", "me", _("我的")),
        ("handler", "none", _("未指派")),
        ("due", "soon", _("2个工作日内到期")),
        ("due", "overdue", _("已逾期")),
    ):
        on = filters.get(key) == value
        chosen = {**filters, key: None if on else value}
        # In one order, so that one filter has one address (and one saved query).
        args = {k: chosen[k] for k in FILTERS if chosen.get(k)}
        out.append({"label": label, "on": on, "args": args})
    return out


def queue_rows(items: list[dict[str, Any]], handling: Mapping[str, Any], username: str) -> None:
    """Each row's handler at the viewer's desk, and whether they may take it or tick it for
    assigning (the desk's lead)."""
    desk = handling["desk"]
    for c in items:
        waits = c["state"] in handling["waiting"]
        held = next((h for h in c.get("handlers", ()) if h["desk"] == desk), None)
        c["waits_on_us"] = waits
        c["handler"] = (held["name"] or held["username"]) if held else None
        c["handler_is_me"] = held is not None and held["username"] == username
        c["handler_covered"] = held is not None and held["username"] in handling.get("covering", ())
        c["may_take"] = waits and held is None
        c["assignable"] = waits and handling["leads"]


def _fen(v: int | None) -> str:
    return "" if v is None else str(yuan(v))


def case_page(
    rt: Any, user: Any, case_id: int, reveal: bool = False, reason: str = "", **forms: Any
) -> dict[str, Any]:
    """The case as this staff member may see it, plus the forms for what they may do now."""
    c = queries.describe_case(rt, user.id, case_id, reveal=reveal, reason=reason)
    events = queries.history(rt, user.id, case_id)
    en = str(_locale()) == "en"
    settings = services.effective_settings(rt)
    # The full account only for whoever pays it out: the lead approver at the subsidy step.
    show_account = (
        user.role == "approver"
        and user.department == settings.lead_department
        and c["state"] == "subsidy_review"
    )
    c["subsidy"]["payee_shown"] = (
        c["subsidy"]["payee"] if show_account else mask_account(c["subsidy"]["payee"])
    )
    c["letters"] = letter_rows(c["letters"])
    for e in events:
        t = TRANSITION.get(e["kind"])
        zh, en_label = (t.label, t.label_en) if t else FACTS.get(e["kind"], ("其他", "Other"))
        e["kind_label"] = en_label if en else zh
        e["facts"] = history_facts(e.get("payload"), en, settings, show_account)
        if e.get("from_label") and en:
            e["from_label"] = STATE[e["from"]].label_en
        if e.get("to_label") and en:
            e["to_label"] = STATE[e["to"]].label_en
    tags = STATE[c["state"]].tags
    clerk = user.role == "clerk"
    # Numbers come masked unless the clerk asked to see them (recorded in the audit log).
    shares = c["costs"]["shares_fen"] if c["costs"]["estimated_cost_fen"] else {}
    for h in c["households"]:
        h["phone_shown"] = h["phone"] or ""
        # What the household pays: read out to an owner signing on paper at the window.
        h["share_fen"] = shares.get(str(h["id"]))
        h["share"] = _fen(h["share_fen"]) if h["share_fen"] else None
    c["applicant"]["phone_shown"] = c["applicant"]["phone"] or ""
    revealed = clerk and reveal
    rooms = [h["room"] for h in c["households"]]

    vote_form = forms.get("vote_form") or PaperVoteForm(
        formdata=None, relationships=in_reader_language(services.RELATIONSHIPS)
    )
    # A required select opens on an empty choice, so nobody records a vote for 101 by default.
    vote_form.room.choices = [SelectChoice("", _("请选择房号"))] + [
        SelectChoice(h["room"], h["room"]) for h in c["households"] if not h["vote"]
    ]
    objection_form = forms.get("objection_form") or ObjectionForm(formdata=None)
    objection_form.room.choices = [SelectChoice("", "—")] + [SelectChoice(r, r) for r in rooms]
    # Both forms have a room and a scan on one page: ids must be unique (HTML), names stay.
    for f in objection_form:
        if f.name in ("room", "text", "scan"):
            f.id = f.label.field_id = f"objection-{f.name}"

    current_round = [o for o in c["opinions"] if o["round"] == c["review_round"]]
    given = {o["department"]: o for o in current_round}
    departments = [
        {
            "code": d,
            "label": DEPARTMENTS.get(d, (d, d))[1] if en else settings.department_label(d),
            "opinion": given.get(d),
            "lead": d == settings.lead_department,
        }
        for d in settings.required_departments
    ]
    may_opine = (
        user.role == "approver"
        and "opinions" in tags
        and user.department in settings.required_departments
        and user.department not in given
    )

    prefill: dict[str, str] = {}
    cap = None
    if c["subsidy"]["actual_cost_fen"] is not None:
        cap = subsidy_cap(c["floors"], c["subsidy"]["actual_cost_fen"], settings.subsidy_tiers_fen)
        prefill["amount"] = _fen(cap)

    actions = []
    for a in c["actions"]:
        form = (
            CorrectionForm(formdata=None)
            if any(f["kind"] == "items" for f in a["fields"])
            else ActionForm(formdata=None)
        )
        form.expected_version.data = c["version"]
        # Documents to correct are ticked from a list; items to rectify on site are typed.
        checklist = any(f["kind"] == "items" and f["label"] == ITEMS.label for f in a["fields"])
        own = prefill
        if a["trigger"] == "correct_subsidy" and c["subsidy"]["amount_fen"] is not None:
            own = {**prefill, "amount": _fen(c["subsidy"]["amount_fen"])}  # what is corrected
        actions.append({**a, "form": form, "prefill": own, "checklist": checklist})

    return {
        "case": c,
        "revealed": revealed,
        "history": events,
        "actions": actions,
        "documents": list(c["documents"].values()),
        "departments": departments,
        "opinion_form": forms.get("opinion_form")
        or (OpinionForm(formdata=None) if may_opine else None),
        "may_opine": may_opine,
        "voting": clerk and "voting" in tags,
        "owner_form": forms.get("owner_form") or OwnerRulingForm(formdata=None),
        "vote_form": vote_form,
        "objections_open": clerk and "objections" in tags,
        "objection_form": objection_form,
        "supervisor_form": _supervisor_form(c) if clerk else None,
        "reply_labels": {
            "answer": _("申请人答复"),
            "kept_open": _("仍未解决"),
            "solved": _("确认已解决"),
        },
        "opinion_labels": {
            "satisfied": _("满意"),
            "basically_satisfied": _("基本满意"),
            "dissatisfied": _("不满意"),
        },
        # A clerk refers an open objection to the mediator; it is settled only by withdrawal or
        # by the mediation's outcome.
        "refer_form": ReferForm(formdata=None) if clerk and "objections" in tags else None,
        "clerk": clerk,
        "subsidy": {
            "actual_cost": _fen(c["subsidy"]["actual_cost_fen"]),
            "amount": _fen(c["subsidy"]["amount_fen"]),
            "cap": _fen(cap),
            "estimated_cost": _fen(c["costs"]["estimated_cost_fen"]),
        },
        "title": c["reference"],
        # Who has the case at each desk it waits on, and the viewer's buttons there.
        "handling": desk_loads.case_handling(rt, user.id, case_id),
    }


def _supervisor_form(c: dict[str, Any]) -> PaperSupervisorForm | None:
    """The representatives still to accept, for a paper acceptance signed at the window."""
    waiting = [x["room"] for x in c["supervisors"] if not x["accepted"]]
    if not waiting or not c["acceptance"]["supervision_open"]:
        return None
    form = PaperSupervisorForm(formdata=None)
    form.room.choices = [SelectChoice(r, r) for r in waiting]
    return form


def letter_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Letters as the list shows them: the kind's English name beside its Chinese title."""
    from workflow.papers.letters import KINDS as LETTER_KINDS

    return [{**x, "title_en": LETTER_KINDS.get(x["kind"], ("", ""))[1]} for x in rows]
