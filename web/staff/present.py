"""What the staff pages show, prepared so the templates decide nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wtforms.fields.choices import SelectChoice

from forms.staff import (
    ActionForm,
    CorrectionForm,
    ObjectionForm,
    OpinionForm,
    PaperVoteForm,
    ResolveForm,
)
from workflow import queries, services
from workflow.documents import mask_phone
from workflow.machine import STATE, TRANSITION
from workflow.rules.money import yuan
from workflow.rules.subsidy import subsidy_cap

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
}


def _locale():
    from flask_babel import get_locale

    return get_locale()


def queue_args(args: Mapping[str, str]) -> dict[str, Any]:
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    return {
        "q": (args.get("q") or "").strip()[:100] or None,
        "state": args.get("state") or None,
        "community": args.get("community") or None,
        "page": page,
        # Keyset positions from the pager's links (queries.list_cases); opaque, checked there.
        "after": (args.get("after") or "").strip()[:200] or None,
        "before": (args.get("before") or "").strip()[:200] or None,
    }


def _fen(v: int | None) -> str:
    return "" if v is None else str(yuan(v))


def case_page(rt: Any, user: Any, case_id: int, **forms: Any) -> dict[str, Any]:
    """The case as this staff member may see it, plus the forms for what they may do now."""
    c = queries.describe_case(rt, user.id, case_id)
    events = queries.history(rt, user.id, case_id)
    en = str(_locale()) == "en"
    for e in events:
        t = TRANSITION.get(e["kind"])
        zh, en_label = (t.label, t.label_en) if t else FACTS.get(e["kind"], (e["kind"], e["kind"]))
        e["kind_label"] = en_label if en else zh
    settings = services.effective_settings(rt)
    tags = STATE[c["state"]].tags
    clerk = user.role == "clerk"
    # The clerk calls owners about paper votes and corrections; everyone else sees masked numbers.
    for h in c["households"]:
        h["phone_shown"] = h["phone"] if clerk else mask_phone(h["phone"])
    c["applicant"]["phone_shown"] = (
        c["applicant"]["phone"] if clerk else mask_phone(c["applicant"]["phone"])
    )
    rooms = [h["room"] for h in c["households"]]

    vote_form = forms.get("vote_form") or PaperVoteForm(formdata=None)
    vote_form.room.choices = [
        SelectChoice(h["room"], h["room"]) for h in c["households"] if not h["vote"]
    ]
    objection_form = forms.get("objection_form") or ObjectionForm(formdata=None)
    objection_form.room.choices = [SelectChoice("", "—")] + [SelectChoice(r, r) for r in rooms]

    current_round = [o for o in c["opinions"] if o["round"] == c["review_round"]]
    given = {o["department"]: o for o in current_round}
    departments = [
        {
            "code": d,
            "label": settings.department_label(d),
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
        actions.append({**a, "form": form, "prefill": prefill})

    return {
        "case": c,
        "history": events,
        "actions": actions,
        "documents": list(c["documents"].values()),
        "departments": departments,
        "opinion_form": forms.get("opinion_form")
        or (OpinionForm(formdata=None) if may_opine else None),
        "may_opine": may_opine,
        "voting": clerk and "voting" in tags,
        "vote_form": vote_form,
        "objections_open": clerk and "objections" in tags,
        "objection_form": objection_form,
        "resolve_form": ResolveForm(formdata=None) if clerk else None,
        "clerk": clerk,
        "subsidy": {
            "actual_cost": _fen(c["subsidy"]["actual_cost_fen"]),
            "amount": _fen(c["subsidy"]["amount_fen"]),
            "cap": _fen(cap),
            "estimated_cost": _fen(c["costs"]["estimated_cost_fen"]),
        },
        "title": c["reference"],
    }
