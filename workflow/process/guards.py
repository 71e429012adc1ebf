"""Guards: named predicates that return every reason they fail, Chinese first.

A guard that checks what the actor typed (`needs_input`) is not asked when deciding which
buttons to show; every guard is asked before a trigger fires, and all failures are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from ..data import ownership
from ..data.models import InstallerBar
from ..errors import Message, msg
from ..papers import documents, letters
from ..rules import quorum, subsidy
from ..rules.credit_code import credit_code_problem, normalise
from ..rules.money import yuan

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True)
class Guard:
    name: str
    check: Callable[[Context], list[Message]]
    needs_input: bool = False

    def __call__(self, ctx: Context) -> list[Message]:
        return self.check(ctx)


def guard(needs_input: bool = False) -> Callable[[Callable[[Context], list[Message]]], Guard]:
    def wrap(fn: Callable[[Context], list[Message]]) -> Guard:
        return Guard(fn.__name__, fn, needs_input)

    return wrap


def failing(guards: Iterable[Guard], ctx: Context, with_input: bool = True) -> list[Message]:
    return [m for g in guards if with_input or not g.needs_input for m in g(ctx)]


# — the building and its households —————————————————————————————————————


@guard()
def building_complete(ctx: Context) -> list[Message]:
    c = ctx.case
    out = []
    for attr, zh, en in (
        ("community", "小区名称", "community"),
        ("address", "地址", "address"),
        ("building", "楼栋号", "building"),
        ("unit", "单元号", "unit"),
    ):
        if not (getattr(c, attr) or "").strip():
            out.append(msg(f"missing_{attr}", f"请填写{zh}。", f"The {en} is missing."))
    if not c.floors or c.floors < 2:
        out.append(msg("floors", "楼层数至少为 2 层。", "The building needs at least 2 floors."))
    return out


@guard()
def roster_complete(ctx: Context) -> list[Message]:
    hs = ctx.case.households
    out = []
    if len(hs) < 2:
        out.append(
            msg("roster_size", "住户名单至少需要 2 户。", "The roster needs at least 2 households.")
        )
    for h in hs:
        if not h.floor or h.floor < 1 or (ctx.case.floors and h.floor > ctx.case.floors):
            out.append(
                msg("household_floor", f"{h.room} 室的楼层无效。", f"Room {h.room}: invalid floor.")
            )
        if h.area is None or h.area <= 0:
            out.append(
                msg(
                    "household_area",
                    f"{h.room} 室的专有面积须大于 0。",
                    f"Room {h.room}: area must be > 0.",
                )
            )
        if not (h.owner_name or "").strip():
            out.append(
                msg(
                    "household_owner",
                    f"{h.room} 室缺少业主姓名。",
                    f"Room {h.room}: owner name missing.",
                )
            )
    return out


# — consent and notice ——————————————————————————————————————————————————


@guard()
def estimated_cost_given(ctx: Context) -> list[Message]:
    # DESIGN §3.2: every owner sees their share before voting, so the price comes first.
    if (ctx.case.estimated_cost_fen or 0) > 0:
        return []
    return [
        msg(
            "estimated_cost",
            "请先填写预计总造价（大于 0 元）：业主表决前须看到本户分摊的金额。",
            "Enter the estimated total cost (above 0): owners see their share before voting.",
        )
    ]


def quorum_of(ctx: Context) -> quorum.QuorumResult:
    # Owners counted as the law counts them: one person for several flats.
    return ownership.case_quorum(ctx.case, ctx.settings)


@guard()
def consent_quorum_met(ctx: Context) -> list[Message]:
    # 民法典第二百七十八条：参与表决双三分之二，同意双四分之三。
    result = quorum_of(ctx)
    if result.met:
        return []
    return [
        msg("quorum", zh, en)
        for zh, en in zip(result.missing, result.missing_en or result.missing, strict=False)
    ] or [msg("quorum", "尚未达到法定表决比例。", "The consent quorum is not met.")]


@guard()
def publicity_over(ctx: Context) -> list[Message]:
    end = ctx.case.publicity_end
    if end is not None and ctx.now >= end:
        return []
    when = end.strftime("%Y-%m-%d %H:%M") if end else "—"
    return [
        msg("publicity", f"公示期尚未结束（至 {when}）。", f"The notice period runs until {when}.")
    ]


@guard()
def no_open_objection(ctx: Context) -> list[Message]:
    open_ = [o for o in ctx.case.objections if o.resolved_at is None]
    if not open_:
        return []
    return [
        msg(
            "objection",
            f"还有 {len(open_)} 项异议未处理完毕。",
            f"{len(open_)} objection(s) are not yet resolved.",
        )
    ]


def _missing_documents(ctx: Context, kinds: Iterable[str]) -> list[Message]:
    have = documents.current(ctx.case)
    return [
        msg(
            f"document_{k}",
            f"缺少材料：{documents.KINDS[k].label}。",
            f"Missing document: {documents.KINDS[k].label_en}.",
        )
        for k in kinds
        if k not in have
    ]


@guard()
def design_plan_uploaded(ctx: Context) -> list[Message]:
    return _missing_documents(ctx, ["design_plan"])


@guard()
def four_documents_complete(ctx: Context) -> list[Message]:
    return _missing_documents(ctx, documents.FOUR)


@guard()
def corrections_answered(ctx: Context) -> list[Message]:
    """Every document a correction request names has been replaced since it was made."""
    open_ = ctx.case.open_corrections
    if not open_:
        return []
    request = open_[-1]
    out = []
    for item in request.items:
        kind = item.get("document")
        if not kind:
            continue
        replaced = any(
            d.kind == kind and d.source == "uploaded" and d.created_at > request.requested_at
            for d in ctx.case.documents
        )
        if not replaced:
            k = documents.KINDS[kind]
            out.append(
                msg(
                    f"correction_{kind}",
                    f"请按补正要求重新上传：{k.label}。",
                    f"Upload a new {k.label_en} as the correction asks.",
                )
            )
    return out


# — review and decision ——————————————————————————————————————————————————


@guard(needs_input=True)
def items_listed(ctx: Context) -> list[Message]:
    if ctx.params.get("items"):
        return []
    return [msg("items", "请至少列出一项需补正的事项。", "List at least one item to correct.")]


@guard()
def every_department_agrees(ctx: Context) -> list[Message]:
    given = {o.department: o for o in ctx.case.opinions if o.review_round == ctx.case.review_round}
    out = []
    for dept in ctx.settings.required_departments:
        name = ctx.settings.department_name(dept)
        o = given.get(dept)
        if o is None:
            out.append(
                msg(f"opinion_{dept}", f"{name}尚未出具意见。", f"No opinion yet from {dept}.")
            )
        elif o.verdict != "agree":
            out.append(msg(f"opinion_{dept}", f"{name}的意见为不同意。", f"{dept} disagrees."))
    return out


@guard()
def every_opinion_given(ctx: Context) -> list[Message]:
    """A refusal rests on the joint review as much as an approval does: every required
    department has given its opinion (agree or not) in this round."""
    given = {o.department for o in ctx.case.opinions if o.review_round == ctx.case.review_round}
    return [
        msg(
            f"opinion_{dept}",
            f"{ctx.settings.department_name(dept)}尚未出具意见，各部门意见齐全后才能作出决定。",
            f"No opinion yet from {dept}; decide once every department has given its opinion.",
        )
        for dept in ctx.settings.required_departments
        if dept not in given
    ]


@guard()
def review_not_extended(ctx: Context) -> list[Message]:
    if ctx.case.review_extended_days is None:
        return []
    return [
        msg(
            "extended",
            f"审查期限已延长过一次（{ctx.case.review_extended_days} 个工作日），不能再次延长。",
            "The review deadline was already extended once.",
        )
    ]


@guard(needs_input=True)
def extension_within_setting(ctx: Context) -> list[Message]:
    most = ctx.settings.review_extension_max_workdays
    out = []
    days = ctx.params.get("days")
    if days is None or not 1 <= days <= most:
        out.append(
            msg(
                "days",
                f"延长天数应为 1 至 {most} 个工作日。",
                f"Extend by 1 to {most} working days.",
            )
        )
    if not (ctx.params.get("reason") or "").strip():
        out.append(
            msg("reason", "请填写延长审查期限的理由。", "Give the reason for the extension.")
        )
    return out


@guard(needs_input=True)
def reasons_given(ctx: Context) -> list[Message]:
    if (ctx.params.get("reasons") or "").strip():
        return []
    return [msg("reasons", "请填写理由。", "Give the reasons.")]


@guard(needs_input=True)
def objections_weighed(ctx: Context) -> list[Message]:
    """An objection mediated without agreement goes to the joint review with its 调解意见书;
    the decision states how it was weighed."""
    mediated = [o for o in ctx.case.objections if o.settled_by == "mediation"]
    if not mediated or (ctx.params.get("weighing") or "").strip():
        return []
    return [
        msg(
            "weighing",
            f"有 {len(mediated)} 件异议经调解未达成一致，请写明对异议的审查意见。",
            f"{len(mediated)} objection(s) were mediated without agreement: say how they were weighed.",
        )
    ]


# — construction and subsidy ————————————————————————————————————————————


@guard(needs_input=True)
def contractor_and_start_date(ctx: Context) -> list[Message]:
    out = []
    if not (ctx.params.get("contractor") or "").strip():
        out.append(msg("contractor", "请填写施工单位。", "Name the contractor."))
    if not ctx.params.get("start_date"):
        out.append(msg("start_date", "请填写开工日期。", "Give the start date."))
    return out


@guard(needs_input=True)
def installer_given(ctx: Context) -> list[Message]:
    """特种设备安全法第十四条: only a licensed installer may install a lift."""
    out = []
    if not (ctx.params.get("installer_name") or "").strip():
        out.append(msg("installer_name", "请填写电梯安装单位名称。", "Name the lift installer."))
    code = ctx.params.get("installer_credit_code") or ""
    if not code.strip():
        out.append(
            msg(
                "installer_credit_code",
                "请填写安装单位的统一社会信用代码。",
                "Give the installer's unified social credit code.",
            )
        )
    elif problem := credit_code_problem(code):
        out.append(
            msg("installer_credit_code", problem, "The unified social credit code is not valid.")
        )
    if not (ctx.params.get("installer_licence") or "").strip():
        out.append(
            msg(
                "installer_licence",
                "请填写安装单位的特种设备安装改造修理许可证编号。",
                "Give the installer's licence number for lift installation.",
            )
        )
    return out


@guard(needs_input=True)
def planned_completion_given(ctx: Context) -> list[Message]:
    """The planned end of construction: the installers' record measures against it."""
    planned, start = ctx.params.get("planned_completion"), ctx.params.get("start_date")
    if not planned:
        return [
            msg("planned_completion", "请填写计划竣工日期。", "Give the planned completion date.")
        ]
    if start and planned < start:
        return [
            msg(
                "planned_completion",
                "计划竣工日期不能早于开工日期。",
                "The planned completion cannot come before the start.",
            )
        ]
    return []


def active_bar(session: object, credit_code: str, today: object) -> InstallerBar | None:
    """The bar an installer is under on `today`, if any (not lifted, `until` not passed)."""
    return session.scalars(  # type: ignore[attr-defined]
        select(InstallerBar)
        .where(
            InstallerBar.credit_code == credit_code,
            InstallerBar.lifted_at.is_(None),
            InstallerBar.barred_on <= today,
            InstallerBar.until >= today,
        )
        .order_by(InstallerBar.id.desc())
    ).first()


@guard(needs_input=True)
def installer_not_barred(ctx: Context) -> list[Message]:
    """A installer on the city's list of those barred from new work cannot be named (施工单位
    工作绩效纳入信用评价)."""
    code = normalise(ctx.params.get("installer_credit_code") or "")
    if not code:
        return []
    bar = active_bar(ctx.session, code, ctx.now.date())
    if bar is None:
        return []
    return [
        msg(
            "installer_barred",
            f"该安装单位已被列入本市禁止承接新工程名单（{bar.document_number}，"
            f"至 {bar.until.isoformat()}）：{bar.reason}",
            f"This installer is barred from new work until {bar.until.isoformat()} "
            f"({bar.document_number}).",
        )
    ]


@guard()
def installation_notice_uploaded(ctx: Context) -> list[Message]:
    """特种设备安全法第二十三条: the installer notifies 市场监管 before work starts."""
    return _missing_documents(ctx, ["installation_notice"])


@guard()
def completion_documents_uploaded(ctx: Context) -> list[Message]:
    # The inspection body's report and the use registration (特种设备安全法第二十五、三十三条).
    return _missing_documents(ctx, ["inspection_report", "equipment_registration"])


@guard(needs_input=True)
def registration_number_given(ctx: Context) -> list[Message]:
    if (ctx.params.get("registration_number") or "").strip():
        return []
    return [
        msg(
            "registration_number",
            "请填写特种设备使用登记证编号。",
            "Give the number of the use registration certificate.",
        )
    ]


@guard()
def management_unit_named(ctx: Context) -> list[Message]:
    """特种设备安全法第三十二、三十三条: a lift shared by many owners has one 使用管理单位,
    named in writing before it is put to use."""
    unit = ctx.case.management_unit or {}
    if unit.get("name") and unit.get("phone"):
        return []
    return [
        msg(
            "management_unit",
            "请先在费用页填写电梯的使用管理单位（名称、联系电话，单位须有统一社会信用代码）。",
            "Name who runs the elevator (使用管理单位) on the costs page first.",
        )
    ]


@guard(needs_input=True)
def maintenance_contract_given(ctx: Context) -> list[Message]:
    """The maintenance company (维保单位) and its contract's dates (特种设备安全法第四十五条)."""
    p, out = ctx.params, []
    if not (p.get("maintenance_company") or "").strip():
        out.append(
            msg("maintenance_company", "请填写维保单位名称。", "Name the maintenance company.")
        )
    code = p.get("maintenance_credit_code") or ""
    if not code.strip():
        out.append(
            msg(
                "maintenance_credit_code",
                "请填写维保单位的统一社会信用代码。",
                "Give the maintenance company's unified social credit code.",
            )
        )
    elif problem := credit_code_problem(code):
        out.append(
            msg("maintenance_credit_code", problem, "The unified social credit code is not valid.")
        )
    starts, ends = p.get("maintenance_starts_on"), p.get("maintenance_ends_on")
    if not starts or not ends:
        out.append(
            msg(
                "maintenance_dates",
                "请填写维保合同的起止日期。",
                "Give the maintenance contract's start and end dates.",
            )
        )
    elif ends <= starts:
        out.append(
            msg(
                "maintenance_dates",
                "维保合同的截止日期须晚于起始日期。",
                "The contract must end after it starts.",
            )
        )
    return out


@guard(needs_input=True)
def actual_cost_and_invoice(ctx: Context) -> list[Message]:
    out = []
    cost = ctx.params.get("actual_cost")
    if not cost or cost <= 0:
        out.append(
            msg("actual_cost", "请填写实际造价（大于 0）。", "Give the actual cost (above 0).")
        )
    if not (ctx.params.get("payee") or "").strip():
        out.append(msg("payee", "请填写收款账户。", "Give the payee account."))
    return out + _missing_documents(ctx, ["invoice"])


def subsidy_cap_of(ctx: Context) -> int:
    return subsidy.subsidy_cap(
        ctx.case.floors, ctx.case.actual_cost_fen or 0, ctx.settings.subsidy_tiers_fen
    )


@guard(needs_input=True)
def subsidy_within_rule(ctx: Context) -> list[Message]:
    cap = subsidy_cap_of(ctx)
    amount = ctx.params.get("amount")
    if amount is None:
        amount = cap
    return [msg("amount", m) for m in subsidy.check_grant(amount, cap, ctx.params.get("reason"))]


@guard(needs_input=True)
def subsidy_correction_valid(ctx: Context) -> list[Message]:
    """A corrected subsidy: a different amount, within the rule as it stood at approval, and
    the reason the decision changes (a changed decision is given in writing with its reason)."""
    out = []
    amount, approved = ctx.params.get("amount"), ctx.case.subsidy_fen or 0
    reason = (ctx.params.get("reason") or "").strip()
    if amount is None:
        out.append(msg("amount", "请填写更正后的核准金额。", "Give the corrected amount."))
    elif amount == approved:
        out.append(
            msg(
                "amount",
                f"更正后的金额与现核准金额 {yuan(approved)} 元相同，无需更正。",
                f"The corrected amount equals the {yuan(approved)} yuan approved: nothing to correct.",
            )
        )
    else:
        cap = letters.approval_cap(ctx.case, ctx.settings)
        # The correction's reason also explains an amount below the cap; a missing one is
        # named once, below, not twice.
        out.extend(msg("amount", m) for m in subsidy.check_grant(amount, cap, reason or "-"))
    if not reason:
        out.append(
            msg(
                "reason",
                "请填写更正理由：变更已作出的补贴核定须书面说明理由。",
                "Give the reason: a changed subsidy decision is given in writing with its reason.",
            )
        )
    return out


@guard(needs_input=True)
def payment_matches_approval(ctx: Context) -> list[Message]:
    """补贴拨付: the amount paid is the amount approved, to the fen; a voucher and a date."""
    out = []
    amount, approved = ctx.params.get("amount"), ctx.case.subsidy_fen or 0
    if amount is None:
        out.append(msg("amount", "请填写拨付金额。", "Give the amount paid."))
    elif amount != approved:
        diff = amount - approved
        more, more_en = ("多", "more") if diff > 0 else ("少", "less")
        out.append(
            msg(
                "amount",
                f"拨付金额 {yuan(amount)} 元与核准金额 {yuan(approved)} 元不符，"
                f"{more} {yuan(abs(diff))} 元。",
                f"The amount paid, {yuan(amount)} yuan, is {yuan(abs(diff))} yuan {more_en} than "
                f"the {yuan(approved)} yuan approved.",
            )
        )
    if not str(ctx.params.get("voucher") or "").strip():
        out.append(msg("voucher", "请填写拨付凭证号。", "Give the payment voucher number."))
    if ctx.params.get("paid_on") is None:
        out.append(msg("paid_on", "请填写拨付日期。", "Give the date paid."))
    return out


# — the residents' supervision and acceptance (居民监督、居民不满意不验收) ———————————————


def supervisors_needed(case: Any, settings: Any) -> int:
    """How many representatives must have accepted: the setting's minimum, or every household
    of a unit smaller than that."""
    return min(settings.supervisors_min, len(case.households))


@guard()
def supervisors_accepted(ctx: Context) -> list[Message]:
    need = supervisors_needed(ctx.case, ctx.settings)
    active = [s for s in ctx.case.supervisors if s.active]
    accepted = [s for s in active if s.accepted_at is not None]
    if len(accepted) >= need:
        return []
    most = ctx.settings.supervisors_max
    if not active:
        return [
            msg(
                "supervisors",
                f"请先指定 {need} 至 {most} 户居民监督代表，并经其本人接受。",
                f"Name {need} to {most} households as residents' representatives; they accept.",
            )
        ]
    waiting = [s.household.room for s in active if s.accepted_at is None]
    zh = f"居民监督代表至少须 {need} 户接受，现已接受 {len(accepted)} 户"
    en = f"At least {need} representatives must accept; {len(accepted)} have"
    if waiting:
        zh += f"；待接受：{'、'.join(waiting)}"
        en += f"; waiting: {', '.join(waiting)}"
    if len(active) < need:
        zh += f"；还需补充指定 {need - len(active)} 户"
        en += f"; name {need - len(active)} more"
    return [msg("supervisors", zh + "。", en + ".")]


@guard()
def no_open_problem(ctx: Context) -> list[Message]:
    return [
        msg(
            f"problem_{p.id}",
            f"{p.household.room} 室反映的问题尚未解决：{_short(p.text)}",
            f"The problem reported by room {p.household.room} is still open: {_short(p.text)}",
        )
        for p in ctx.case.problems
        if p.closed_at is None
    ]


def current_opinions(case: Any) -> dict[int, Any]:
    """Each household's opinion in the current round of the residents' acceptance."""
    return {
        o.household_id: o
        for o in case.acceptance_opinions
        if o.acceptance_round == case.acceptance_round
    }


@guard()
def representatives_satisfied(ctx: Context) -> list[Message]:
    """居民不满意不验收: every representative has answered 满意 or 基本满意."""
    given = current_opinions(ctx.case)
    out = []
    for s in ctx.case.supervisors:
        if not s.active:
            continue
        room = s.household.room
        o = given.get(s.household_id)
        if o is None:
            out.append(
                msg(
                    f"representative_{room}",
                    f"居民监督代表 {room} 室尚未提交验收意见。",
                    f"Representative {room} has not given an acceptance opinion.",
                )
            )
        elif o.opinion == "dissatisfied":
            out.append(
                msg(
                    f"representative_{room}",
                    f"居民监督代表 {room} 室不满意：{_short(o.reason)}",
                    f"Representative {room} is dissatisfied: {_short(o.reason)}",
                )
            )
    return out


@guard()
def dissatisfaction_answered(ctx: Context) -> list[Message]:
    return [
        msg(
            f"dissatisfied_{o.household.room}",
            f"{o.household.room} 室不满意（{_short(o.reason)}），申请人尚未答复。",
            f"Room {o.household.room} is dissatisfied ({_short(o.reason)}); the applicant "
            "has not answered.",
        )
        for o in current_opinions(ctx.case).values()
        if o.opinion == "dissatisfied" and not o.answer
    ]


def _short(text: str | None, most: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= most else text[: most - 1] + "…"
