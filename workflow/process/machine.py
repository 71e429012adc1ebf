"""The process of an elevator-retrofit application, declared once (DESIGN §2).

Read top to bottom: the states with their labels and tags, then every trigger with where it
may fire from, where it leads, who may fire it, the guards that must all hold and the effects
it has. Pages, the API, the diagram, the stepper and the tests read this declaration; none of
them lists states or triggers again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from transitions import Machine

from . import effects, guards
from .states import INITIAL, STATES, tags


@dataclass(frozen=True)
class Field:
    """An input a trigger takes: parsed and checked before any guard runs."""

    name: str
    kind: str  # text, items, date, money, document
    label: str
    label_en: str
    required: bool = True


@dataclass(frozen=True)
class Transition:
    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    label: str
    label_en: str
    guards: tuple[guards.Guard, ...] = ()
    effects: tuple[Callable[[Any], None], ...] = ()
    fields: tuple[Field, ...] = ()
    letter: str | None = None  # the letter kind this transition issues
    confirm: bool = False  # ask "are you sure?" before firing
    # An act that concludes a step for the applicant, who may rate it (好差评, 国办发〔2019〕51号).
    rateable: bool = False


# fmt: off
ITEMS = Field("items", "items", "需补正的事项", "Items to correct")
REASONS = Field("reasons", "text", "理由", "Reasons")
# Asked when an objection was mediated without agreement (its 调解意见书 is in the review).
WEIGHING = Field("weighing", "text", "对异议的审查意见", "How the objections were weighed", False)
INSTALLER = (
    Field("installer_name", "text", "电梯安装单位", "Lift installer"),
    Field("installer_credit_code", "text", "安装单位统一社会信用代码", "Installer's unified social credit code"),
    Field("installer_licence", "text", "特种设备安装改造修理许可证编号", "Installer's licence number"),
)
MAINTENANCE = (
    Field("maintenance_company", "text", "维保单位", "Maintenance company"),
    Field("maintenance_credit_code", "text", "维保单位统一社会信用代码", "Maintenance company's unified social credit code"),
    Field("maintenance_starts_on", "date", "维保合同起始日期", "Maintenance contract starts"),
    Field("maintenance_ends_on", "date", "维保合同截止日期", "Maintenance contract ends"),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition("start_consultation", ("draft",), "consultation", tags("applicant"),
               "发起意见征询", "Start consultation",
               guards=(guards.building_complete, guards.roster_complete,
                       guards.estimated_cost_given),
               effects=(effects.issue_signing_links,)),
    Transition("finish_consultation", ("consultation",), "publicity", tags("applicant"),
               "结束征询并开始公示", "Finish consultation and start notice",
               guards=(guards.consent_quorum_met,),
               fields=(Field("place", "text", "公示张贴地点", "Where the notice is posted", False),),
               effects=(effects.start_publicity,)),
    Transition("submit", ("publicity",), "submitted", tags("applicant"),
               "提交申请", "Submit",
               guards=(guards.publicity_over, guards.no_open_objection, guards.design_plan_uploaded),
               effects=(effects.freeze_generated_documents, effects.set_acceptance_deadline)),
    Transition("accept", ("submitted",), "review", tags("clerk"),
               "受理", "Accept",
               effects=(effects.open_review_round,), letter="acceptance_notice", rateable=True),
    # 行政许可法第三十二条：不予受理的，出具书面决定，说明理由并告知救济途径。
    Transition("refuse_acceptance", ("submitted",), "not_accepted", tags("clerk"),
               "不予受理", "Refuse acceptance",
               guards=(guards.reasons_given,), fields=(REASONS,),
               effects=(effects.record_decision,), letter="not_accepted_decision", confirm=True, rateable=True),
    Transition("request_correction", ("submitted",), "correction", tags("clerk"),
               "要求补正", "Request correction",
               guards=(guards.items_listed,), fields=(ITEMS,),
               effects=(effects.record_correction, effects.suspend_deadline), letter="correction_notice", rateable=True),
    Transition("resubmit", ("correction",), "submitted", tags("applicant"),
               "重新提交", "Resubmit",
               guards=(guards.four_documents_complete, guards.corrections_answered),
               effects=(effects.answer_correction, effects.set_acceptance_deadline)),
    Transition("return_for_correction", ("review",), "correction", tags("approver"),
               "退回补正", "Return for correction",
               guards=(guards.items_listed,), fields=(ITEMS,),
               effects=(effects.record_correction, effects.suspend_deadline), letter="correction_notice", rateable=True),
    # 行政许可法第四十二条: the review may be extended once, with reasons told to the applicant.
    Transition("extend_review", ("review",), "review", tags("lead_approver"),
               "延长审查期限", "Extend the review deadline",
               guards=(guards.review_not_extended, guards.extension_within_setting),
               fields=(Field("days", "workdays", "延长的工作日天数", "Working days to add"),
                       Field("reason", "text", "延长理由", "Reason")),
               effects=(effects.extend_review_deadline,), letter="review_extension", rateable=True),
    Transition("approve", ("review",), "approved", tags("lead_approver"),
               "准予加装", "Approve",
               guards=(guards.every_department_agrees, guards.objections_weighed), fields=(WEIGHING,),
               effects=(effects.record_decision, effects.propose_whole_small_unit),
               letter="approval_decision", rateable=True),
    Transition("reject", ("review",), "rejected", tags("lead_approver"),
               "不予批准", "Reject",
               guards=(guards.every_opinion_given, guards.reasons_given, guards.objections_weighed),
               fields=(REASONS, WEIGHING),
               effects=(effects.record_decision,), letter="rejection_decision", confirm=True, rateable=True),
    Transition("start_construction", ("approved",), "construction", tags("applicant"),
               "报告开工", "Report construction start",
               guards=(guards.contractor_and_start_date, guards.installer_given,
                       guards.installation_notice_uploaded, guards.planned_completion_given,
                       guards.installer_not_barred, guards.supervisors_accepted),
               fields=(Field("contractor", "text", "施工单位", "Contractor"),
                       Field("start_date", "date", "开工日期", "Start date"), *INSTALLER,
                       Field("planned_completion", "date", "计划竣工日期", "Planned completion")),
               effects=(effects.record_construction, effects.record_installer)),
    Transition("report_completion", ("construction",), "acceptance", tags("applicant"),
               "报告竣工", "Report completion",
               guards=(guards.completion_documents_uploaded, guards.registration_number_given,
                       guards.management_unit_named, guards.maintenance_contract_given),
               fields=(Field("registration_number", "text", "特种设备使用登记证编号",
                             "Use registration number"), *MAINTENANCE),
               effects=(effects.record_registration, effects.record_maintenance,
                        effects.answer_correction, effects.open_resident_acceptance)),
    # The residents' acceptance found the work wanting: back to construction with the items to
    # fix, like a correction; the next report of completion opens a new round.
    Transition("return_for_rectification", ("acceptance",), "construction", tags("clerk"),
               "退回整改", "Return for rectification",
               guards=(guards.items_listed,),
               fields=(Field("items", "items", "需整改的事项", "Items to rectify"),),
               effects=(effects.record_correction,), rateable=True),
    # 居民不满意不验收: nothing is accepted while the residents are not satisfied.
    Transition("confirm_completion", ("acceptance",), "completed", tags("clerk"),
               "确认竣工", "Confirm completion",
               guards=(guards.no_open_problem, guards.representatives_satisfied,
                       guards.dissatisfaction_answered),
               effects=(effects.record_completion, effects.register_elevator,
                        effects.issue_resident_acceptance), rateable=True),
    Transition("apply_subsidy", ("completed",), "subsidy_review", tags("applicant"),
               "申请补贴", "Apply for subsidy",
               guards=(guards.actual_cost_and_invoice,),
               fields=(Field("actual_cost", "money", "实际造价（元）", "Actual cost (yuan)"),
                       Field("payee", "text", "收款账户", "Payee account")),
               effects=(effects.record_subsidy_application,)),
    Transition("approve_subsidy", ("subsidy_review",), "subsidy_approved", tags("lead_approver"),
               "核准补贴", "Approve subsidy",
               guards=(guards.subsidy_within_rule,),
               fields=(Field("amount", "money", "核准金额（元）", "Amount (yuan)", False),
                       Field("reason", "text", "低于标准的理由", "Reason for a lower amount", False)),
               effects=(effects.record_subsidy, effects.issue_funding_certificates),
               letter="subsidy_notice", rateable=True),
    # A figure of the approved subsidy corrected before it is paid: the decision changes only in
    # writing, with its reason and the remedies (a new 财政补贴核定通知书 naming the one it
    # corrects), and each paying household whose figures changed gets a new 出资证明; the old
    # one's code then verifies as replaced by the new number.
    Transition("correct_subsidy", ("subsidy_approved",), "subsidy_approved", tags("lead_approver"),
               "更正核准补贴", "Correct the approved subsidy",
               guards=(guards.subsidy_correction_valid,),
               fields=(Field("amount", "money", "更正后的核准金额（元）", "Corrected amount (yuan)"),
                       Field("reason", "text", "更正理由", "Reason for the correction")),
               effects=(effects.correct_subsidy, effects.issue_funding_certificates),
               letter="subsidy_notice", confirm=True, rateable=True),
    # 补贴拨付: the clerk records the finance bureau's payment of exactly the approved amount.
    Transition("record_payment", ("subsidy_approved",), "subsidy_paid", tags("clerk"),
               "登记补贴拨付", "Record the subsidy payment",
               guards=(guards.payment_matches_approval,),
               fields=(Field("paid_on", "date", "拨付日期", "Date paid"),
                       Field("amount", "money", "拨付金额（元）", "Amount paid (yuan)"),
                       Field("voucher", "text", "拨付凭证号", "Payment voucher number")),
               effects=(effects.record_payment,), rateable=True),
    Transition("return_subsidy", ("subsidy_review",), "completed", tags("lead_approver"),
               "退回补贴申请", "Return subsidy application",
               guards=(guards.reasons_given,), fields=(REASONS,),
               effects=(effects.record_subsidy_return,), letter="subsidy_return_notice", rateable=True),
    Transition("withdraw", ("draft", "consultation", "publicity", "submitted", "correction"),
               "withdrawn", tags("applicant"),
               "撤回申请", "Withdraw",
               fields=(Field("reason", "text", "撤回原因", "Reason", False),), confirm=True),
)

# fmt: on

TRANSITION = {t.trigger: t for t in TRANSITIONS}


def sources_of(trigger: str) -> tuple[str, ...]:
    return TRANSITION[trigger].sources


def rateable_triggers() -> frozenset[str]:
    """The acts the applicant may rate (好差评): read from the declaration, listed nowhere else."""
    return frozenset(t.trigger for t in TRANSITIONS if t.rateable)


def triggers_from(state: str) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if state in t.sources)


def _condition(t: Transition) -> Callable[[Any], bool]:
    def holds(event: Any) -> bool:
        if event.kwargs.get("checked"):  # the caller has just checked every guard, inputs too
            return True
        ctx = event.kwargs["ctx"]
        return not guards.failing(t.guards, ctx, with_input=False)

    holds.__name__ = f"guards_of_{t.trigger}"
    return holds


def _after(t: Transition) -> Callable[[Any], None]:
    def run(event: Any) -> None:
        ctx = event.kwargs["ctx"]
        for effect in t.effects:
            effect(ctx)
        if t.letter:
            effects.issue_letter(ctx, t.letter)

    return run


@cache
def machine() -> Machine:
    """The one machine all cases share (built once per process).

    `auto_transitions=False`: the generated `to_<state>()` jumps would bypass every guard.
    Effects run after the state changes, inside the caller's database transaction; the machine
    rolls nothing back, the transaction does.
    """
    return Machine(
        model=None,
        states=[s.name for s in STATES],
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(t.sources),
                "dest": t.dest,
                "conditions": [_condition(t)],
                "after": [_after(t)],
            }
            for t in TRANSITIONS
        ],
        initial=INITIAL,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )


def fire_on(case: Any, trigger: str, **kwargs: Any) -> bool:
    """Run `trigger` of the shared machine on a loaded case: its conditions, the state change
    and the effects. The case is not added to the machine (which would set a method on it per
    trigger and state, and take them off again): the machine reads and writes `case.state`.
    `checked=True`: the caller has checked every guard in this same transaction, so the
    conditions are not asked a second time."""
    return machine().events[trigger].trigger(case, **kwargs)


def describe() -> dict[str, Any]:
    """The declaration as plain data (API `/workflow`, the diagram)."""
    return {
        "states": [
            {
                "name": s.name,
                "label": s.label,
                "label_en": s.label_en,
                "final": "final" in s.tags,
                "tags": sorted(s.tags),
            }
            for s in STATES
        ],
        "transitions": [
            {
                "trigger": t.trigger,
                "label": t.label,
                "label_en": t.label_en,
                "sources": list(t.sources),
                "dest": t.dest,
                "roles": sorted(t.roles),
                "guards": [g.name for g in t.guards],
                "fields": [
                    {"name": f.name, "kind": f.kind, "label": f.label, "required": f.required}
                    for f in t.fields
                ],
                "letter": t.letter,
                "rateable": t.rateable,
            }
            for t in TRANSITIONS
        ],
    }


def mermaid() -> str:
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL}"]
    for s in STATES:
        lines.append(f"    {s.name} : {s.label} {s.name}")
    for t in TRANSITIONS:
        for src in t.sources:
            lines.append(f"    {src} --> {t.dest} : {t.trigger}")
    for s in STATES:
        if "final" in s.tags:
            lines.append(f"    {s.name} --> [*]")
    return "\n".join(lines) + "\n"


def all_triggers() -> Iterable[str]:
    return (t.trigger for t in TRANSITIONS)


def svg() -> str:
    """The declaration drawn by Graphviz (needs Debian's `graphviz` for `dot`)."""
    import graphviz

    g = graphviz.Digraph("jiati", format="svg")
    g.attr(rankdir="LR", fontname="Noto Sans CJK SC")
    g.attr("node", shape="box", style="rounded", fontname="Noto Sans CJK SC")
    g.attr("edge", fontname="Noto Sans CJK SC", fontsize="10")
    for s in STATES:
        shape = "doubleoctagon" if "final" in s.tags else "box"
        g.node(s.name, f"{s.label}\n{s.name}", shape=shape)
    for t in TRANSITIONS:
        roles = "/".join(sorted(t.roles))
        for src in t.sources:
            g.edge(src, t.dest, label=f"{t.label}\n{t.trigger} [{roles}]")
    return g.pipe(encoding="utf-8")
