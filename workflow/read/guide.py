"""The public service guide (办事指南) and cost calculator, derived from what the engine knows.

Nothing here is copy typed a second time: the materials are the declared document kinds, the
steps and who acts are the machine's transitions, the time limits, subsidy tiers, quorum
fractions and authority are the settings, and the worked examples are computed by the very
rules a case is judged by. Only what the software cannot know (the window's address and hours,
contacts, local policy notes) is free text an admin edits. No Flask, no database here: the
services load the texts and policies, and the views render what these functions return.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from ..data.settings import DEPARTMENTS, Settings
from ..papers import documents
from ..papers.letters import KINDS as LETTER_KINDS
from ..process import machine, states
from ..rules import bill, cost, quorum, subsidy
from ..rules.money import parse_yuan, yuan

# --- free text an admin edits -------------------------------------------------------------------

# (key, label, default). The defaults are placeholders an admin replaces before going public.
TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("window_address", "办理窗口地址", "枣阳市政务服务中心 住建窗口（具体地址以窗口公告为准）"),
    ("window_hours", "办理时间", "工作日 上午 9:00–12:00，下午 13:30–17:30（法定节假日除外）"),
    ("contacts", "咨询电话", "12345 政务服务便民热线"),
    ("complaints", "投诉渠道", "12345 政务服务便民热线；枣阳市住房和城乡建设局"),
    ("conditions", "申请条件（补充说明）", "已建成投入使用、未设电梯的四层及以上既有住宅，以单元为单位申请。"),
    ("policy_notes", "本市政策说明", ""),
    ("provident_fund_papers", "提取住房公积金所需材料",
     "身份证；不动产权证书；出资证明（本系统出具，可扫码核验）；电梯使用登记证复印件；"
     "本人住房公积金联名卡。以住房公积金中心公布的要求为准。"),
)  # fmt: skip
TEXT_KEYS = tuple(k for k, _, _ in TEXT_FIELDS)
TEXT_MAX = 2000
DEFAULT_TEXTS = {k: v for k, _, v in TEXT_FIELDS}

# Setting rows that hold the guide's texts and the policy list (JSON values); workflow.settings
# ignores keys outside its ADMIN_KEYS, so they live beside the settings without a new table.
TEXTS_KEY = "guide_texts"
POLICIES_KEY = "guide_policies"

# The statutes every guide cites; the city's own rules come from the policy list.
LEGAL_BASIS = (
    ("《中华人民共和国民法典》第二百七十八条", "业主共同决定改建、重建建筑物及其附属设施的表决规则"),
    ("《中华人民共和国特种设备安全法》", "电梯的安装、检验、使用登记"),
)  # fmt: skip
LOCAL_RULES_FALLBACK = "枣阳市关于既有住宅加装电梯的现行规定（2024 年）"

# Defaults for settings another deployment may not have yet (read with getattr).
DEFAULT_CITY = "枣阳市"
DEFAULT_RECONSIDERATION_BODY = "枣阳市人民政府"
DEFAULT_COURT = "人民法院"

ROLE_LABELS = {
    "applicant": "申请人（业主或其委托的代办人）",
    "clerk": "政务服务窗口",
}

# Which setting gives the time a state may last; the state declares where its deadline lives.
DEADLINE_SETTINGS = {"acceptance_due": "acceptance_workdays", "review_due": "review_workdays"}
PUBLICITY_STATE = "publicity"

_CN_DIGITS = "零一二三四五六七八九十"


def fraction_words(f: Fraction) -> str:
    """2/3 → 三分之二 (as the Civil Code writes its thresholds); 1 → 全部."""
    f = Fraction(f)
    if f == 1:
        return "全部"
    if f.denominator <= 10 and f.numerator <= 10:
        return f"{_CN_DIGITS[f.denominator]}分之{_CN_DIGITS[f.numerator]}"
    return quorum.ratio_str(f)


# --- the guide --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    number: int
    trigger: str
    label: str
    who: str
    from_label: str
    to_label: str
    time_limit: str
    letter: str
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    city: str
    authority: str
    reviewers: str
    departments: str
    reconsideration_body: str
    court: str
    materials: tuple[dict[str, Any], ...]
    later_materials: tuple[dict[str, Any], ...]
    steps: tuple[Step, ...]
    other_steps: tuple[Step, ...]
    time_limits: tuple[tuple[str, str], ...]
    subsidy_tiers: tuple[tuple[str, str], ...]
    quorum_rule: tuple[str, ...]
    quorum_example: dict[str, Any]
    legal_basis: tuple[tuple[str, str], ...]
    remedies: tuple[str, ...]
    texts: dict[str, str]
    policies: tuple[dict[str, Any], ...] = field(default=())
    provident_fund_months: int = 12


def who_acts(roles: frozenset[str], settings: Settings) -> str:
    """The roles of a transition in words a citizen knows (departments from the settings)."""
    out = []
    for role in sorted(roles):
        if role == "approver":
            names = "、".join(_department(d) for d in settings.required_departments)
            out.append(f"联合审查部门（{names}）")
        elif role == "lead_approver":
            out.append(f"牵头部门（{_department(settings.lead_department)}）")
        else:
            out.append(ROLE_LABELS.get(role, role))
    return "、".join(out)


def _department(code: str) -> str:
    return DEPARTMENTS.get(code, (code,))[0] + "部门"


def _state_time_limit(state: str, settings: Settings) -> str:
    s = states.STATE[state]
    if s.deadline in DEADLINE_SETTINGS:
        return f"{getattr(settings, DEADLINE_SETTINGS[s.deadline])} 个工作日"
    if state == PUBLICITY_STATE:
        return f"公示期 {settings.publicity_days} 日"
    return ""


def _step(number: int, t: machine.Transition, settings: Settings) -> Step:
    source = t.sources[0]
    # The time a step may take is the time its starting state may last (acceptance within N
    # working days of submission, review within M of acceptance); submission waits for the
    # notice period to end.
    limit = _state_time_limit(source, settings)
    if source == PUBLICITY_STATE and limit:
        limit += "届满后"
    return Step(
        number=number,
        trigger=t.trigger,
        label=t.label,
        who=who_acts(t.roles, settings),
        from_label="、".join(states.STATE[s].label for s in t.sources),
        to_label=states.STATE[t.dest].label,
        time_limit=limit,
        letter=LETTER_KINDS[t.letter][0] if t.letter else "",
        inputs=tuple(f.label for f in t.fields if f.required),
    )


def main_steps(settings: Settings) -> tuple[Step, ...]:
    """The happy path: each transition that moves a case one step along the stepper."""
    path = {s.name for s in states.main_path()}
    main = [
        t
        for t in machine.TRANSITIONS
        if t.dest in path
        and any(states.STATE[t.dest].step == states.STATE[s].step + 1 for s in t.sources)
    ]
    return tuple(_step(i, t, settings) for i, t in enumerate(main, start=1))


def other_steps(settings: Settings) -> tuple[Step, ...]:
    """Corrections, refusals, returns and withdrawal: every other declared transition."""
    main = {s.trigger for s in main_steps(settings)}
    rest = [t for t in machine.TRANSITIONS if t.trigger not in main]
    return tuple(_step(i, t, settings) for i, t in enumerate(rest, start=1))


def materials() -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The application's materials (the declared four) and those handed in later."""

    def row(name: str) -> dict[str, Any]:
        k = documents.KINDS[name]
        if name == "mediation_record":
            how = "异议经调解后，由调解员出具"
        elif k.per_household:
            how = "补贴核准时系统为每户分摊费用的住户出具，可扫码核验"
        elif k.generated and name not in documents.FOUR:
            how = "系统在确认竣工时根据居民验收意见自动生成"
        elif k.generated:
            how = "系统根据申请和业主表决自动生成，可上传签字后的扫描件替换"
        else:
            kinds = "、".join(
                {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}[c]
                for c in k.content_types
            )
            how = f"申请人上传（{kinds}）"
        return {"kind": name, "label": k.label, "generated": k.generated, "how": how}

    four = tuple(row(k) for k in documents.FOUR)
    later = tuple(row(k) for k in documents.KINDS if k not in documents.FOUR)
    return four, later


def subsidy_tier_rows(settings: Settings) -> tuple[tuple[str, str], ...]:
    """The tiers as "6 层及以上 — 100,000.00 元/部", highest first (DESIGN §3.3)."""
    tiers = sorted(settings.subsidy_tiers, reverse=True)
    rows = []
    for i, (floors, amount) in enumerate(tiers):
        upper = tiers[i - 1][0] - 1 if i else None
        if upper is None:
            span = f"{max(floors, 1)} 层及以上"
        elif floors <= 1:
            span = f"{upper} 层及以下"
        elif floors == upper:
            span = f"{floors} 层"
        else:
            span = f"{floors}–{upper} 层"
        rows.append((span, f"{yuan(amount * 100)} 元/部"))
    return tuple(rows)


def quorum_rule(settings: Settings) -> tuple[str, ...]:
    p, q = fraction_words(settings.participation), fraction_words(settings.agreement)
    return (
        f"以本单元全体业主为表决范围。参与表决的业主，其专有部分面积须占本单元专有部分总面积的"
        f"{p}以上，且人数须占本单元业主总人数的{p}以上；",
        f"参与表决的业主中，同意加装电梯的业主专有部分面积须占参与表决专有部分面积的{q}以上，"
        f"且人数须占参与表决人数的{q}以上。",
        "“以上”包括本数：恰好达到比例即为通过。弃权算作参与表决，但不算同意；未表决的不算参与。",
    )


# The worked example's building: two households a floor, 90 m² on the east, 75 m² on the west.
EXAMPLE_FLOORS = 6
EXAMPLE_AREAS = (Decimal("90.00"), Decimal("75.00"))


def quorum_example(settings: Settings) -> dict[str, Any]:
    """A unit of 12 households voting, judged by the real rule (workflow.rules.quorum)."""
    areas = [a for _ in range(EXAMPLE_FLOORS) for a in EXAMPLE_AREAS]
    thresholds = quorum.QuorumThresholds(settings.participation, settings.agreement)
    need = quorum_needed(areas, settings)
    # Those who take part: just enough households for participation, largest flats first, and
    # of them just enough agree for the agreement share; the rest abstain or object.
    voting = need["participation_households"]
    agreeing = math.ceil(Fraction(settings.agreement) * voting)
    choices: list[str | None] = [None] * len(areas)
    for i in range(voting):
        choices[i] = quorum.AGREE if i < agreeing else quorum.OBJECT
    result = quorum.consent_quorum(
        [quorum.Ballot(a, c) for a, c in zip(areas, choices, strict=True)], thresholds
    )
    return {
        "households": len(areas),
        "total_area": f"{sum(areas):.2f}",
        "voted": result.voted,
        "voted_area": f"{result.voted_area:.2f}",
        "agreed": result.agreed,
        "agree_area": f"{result.agree_area_m2:.2f}",
        "objected": voting - agreeing,
        "participation_area": quorum.format_ratio(result.participation_area),
        "participation_count": quorum.format_ratio(result.participation_count),
        "agree_area_ratio": quorum.format_ratio(result.agree_area),
        "agree_count_ratio": quorum.format_ratio(result.agree_count),
        "met": result.met,
        "missing": result.missing,
        "floors": EXAMPLE_FLOORS,
        "areas": [f"{a:.2f}" for a in EXAMPLE_AREAS],
    }


def remedies(settings: Settings) -> tuple[str, ...]:
    body = getattr(settings, "reconsideration_body", "") or DEFAULT_RECONSIDERATION_BODY
    court = getattr(settings, "court", "") or DEFAULT_COURT
    return (
        f"对不予受理、不予批准等决定不服的，可以自收到决定书之日起六十日内向{body}申请行政复议，"
        f"或者自收到决定书之日起六个月内向{court}提起行政诉讼。",
        "窗口要求补正材料的，会一次性书面告知需补正的全部内容；补正期间不计入审批时限。",
    )


def build(
    settings: Settings,
    texts: Mapping[str, str] | None = None,
    policies: Sequence[Mapping[str, Any]] = (),
) -> Guide:
    """The whole guide from the settings, the declaration and the admin's texts."""
    four, later = materials()
    merged = {**DEFAULT_TEXTS, **{k: v for k, v in (texts or {}).items() if k in TEXT_KEYS}}
    limits = [
        ("受理", _state_time_limit("submitted", settings) + "（自提交之日起）"),
        ("联合审查", _state_time_limit("review", settings) + "（自受理之日起，补正期间不计）"),
        ("公示", _state_time_limit(PUBLICITY_STATE, settings)),
    ]
    local = tuple(
        (p["title"], " ".join(x for x in (p.get("issuer", ""), p.get("issued_on", "")) if x))
        for p in policies
    ) or ((LOCAL_RULES_FALLBACK, ""),)
    return Guide(
        city=getattr(settings, "city_name", "") or getattr(settings, "city", "") or DEFAULT_CITY,
        authority=settings.authority_name,
        reviewers=who_acts(frozenset({"approver"}), settings),
        departments="、".join(_department(d) for d in settings.required_departments),
        reconsideration_body=getattr(settings, "reconsideration_body", "")
        or DEFAULT_RECONSIDERATION_BODY,
        court=getattr(settings, "court", "") or DEFAULT_COURT,
        materials=four,
        later_materials=later,
        steps=main_steps(settings),
        other_steps=other_steps(settings),
        time_limits=tuple(limits),
        subsidy_tiers=subsidy_tier_rows(settings),
        quorum_rule=quorum_rule(settings),
        quorum_example=quorum_example(settings),
        legal_basis=LEGAL_BASIS + local,
        remedies=remedies(settings),
        texts=merged,
        provident_fund_months=getattr(settings, "provident_fund_months", 12),
        policies=tuple(dict(p) for p in policies),
    )


def clean_texts(changes: Mapping[str, Any]) -> dict[str, str]:
    """The admin's texts, trimmed and bounded; unknown keys are ignored."""
    return {k: str(changes.get(k) or "").strip()[:TEXT_MAX] for k in TEXT_KEYS if k in changes}


# --- the calculator ---------------------------------------------------------------------------

MAX_FLOORS = 40
MAX_PER_FLOOR = 12


@dataclass(frozen=True)
class Building:
    """What the calculator is given: floors, households a floor, each household's area."""

    floors: int
    per_floor: int
    areas: dict[tuple[int, int], Decimal]  # (floor, position on the floor) → m²
    estimated_cost_fen: int
    coefficients: dict[int, Decimal]
    # 低层补偿: what each household of a floor that pays no share receives (DESIGN §3.3a).
    compensation_fen: int = 0

    def households(self) -> list[tuple[int, int]]:
        return [(f, i) for f in range(1, self.floors + 1) for i in range(1, self.per_floor + 1)]

    def room(self, floor: int, i: int) -> str:
        return f"{floor}{i:02d}"


@dataclass(frozen=True)
class Estimate:
    building: Building
    subsidy_fen: int
    to_share_fen: int
    shares: dict[tuple[int, int], int]
    weights: dict[tuple[int, int], Decimal]
    total_area: Decimal
    need: dict[str, Any]
    note: str = ""
    compensation_paid: dict[tuple[int, int], int] = field(default_factory=dict)
    compensation_received: dict[tuple[int, int], int] = field(default_factory=dict)


def parse_building(data: Mapping[str, Any]) -> tuple[Building | None, dict[str, str]]:
    """The calculator's form as a Building, or every problem by field name.

    ``data``: floors, per_floor, same_area, estimated_cost, ``area-<floor>-<i>`` (blank: the
    same area) and ``coef-<floor>`` (blank: the default coefficient).
    """
    errors: dict[str, str] = {}
    floors = whole_number(data.get("floors"), 2, MAX_FLOORS)
    if floors is None:
        errors["floors"] = f"楼层数应为 2 到 {MAX_FLOORS} 之间的整数。"
    per_floor = whole_number(data.get("per_floor"), 1, MAX_PER_FLOOR)
    if per_floor is None:
        errors["per_floor"] = f"每层户数应为 1 到 {MAX_PER_FLOOR} 之间的整数。"
    same = _area(data.get("same_area"))
    if str(data.get("same_area") or "").strip() and same is None:
        errors["same_area"] = "面积应为大于 0 的数，最多两位小数，例如 85.20。"
    try:
        cost_fen = parse_yuan(str(data.get("estimated_cost") or ""))
        if cost_fen <= 0:
            raise ValueError("预计总造价应大于 0")
    except ValueError as exc:
        errors["estimated_cost"] = f"预计总造价：{exc}"
        cost_fen = 0
    compensation_fen = 0
    if str(data.get("compensation") or "").strip():
        try:
            compensation_fen = parse_yuan(str(data.get("compensation")))
        except ValueError as exc:
            errors["compensation"] = f"低层每户补偿：{exc}"
    if floors is None or per_floor is None:
        return None, errors
    areas: dict[tuple[int, int], Decimal] = {}
    for f in range(1, floors + 1):
        for i in range(1, per_floor + 1):
            key = f"area-{f}-{i}"
            raw = str(data.get(key) or "").strip()
            value = _area(raw) if raw else same
            if value is None:
                errors[key] = (
                    f"{f} 层第 {i} 户的面积应为大于 0 的数（最多两位小数）。"
                    if raw
                    else f"请填写 {f} 层第 {i} 户的面积，或填写“每户面积相同”。"
                )
            else:
                areas[(f, i)] = value
    coefficients = cost.default_coefficients(floors)
    for f in range(1, floors + 1):
        raw = str(data.get(f"coef-{f}") or "").strip()
        if not raw:
            continue
        try:
            d = Decimal(raw)
            if not d.is_finite() or d < 0 or d > 10 or d.as_tuple().exponent < -2:
                raise InvalidOperation
            coefficients[f] = d
        except InvalidOperation:
            errors[f"coef-{f}"] = f"{f} 层系数应为 0 到 10 之间的数（最多两位小数）。"
    if errors:
        return None, errors
    return Building(floors, per_floor, areas, cost_fen, coefficients, compensation_fen), {}


def whole_number(value: Any, low: int, high: int) -> int | None:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if low <= n <= high else None


def _area(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value or "").strip())
    except InvalidOperation:
        return None
    if not d.is_finite() or d <= 0 or d > 1000 or d.as_tuple().exponent < -2:
        return None
    return d


def quorum_needed(areas: Sequence[Decimal], settings: Settings) -> dict[str, Any]:
    """The fewest households and square metres the quorum asks of a unit with these areas.

    Participation: ⌈p·n⌉ households and p·A m². Agreement is measured among those who take
    part; if everyone takes part, ⌈q·n⌉ households and q·A m² must agree.
    """
    n = len(areas)
    total = Fraction(sum(areas, Decimal(0)))
    p, q = Fraction(settings.participation), Fraction(settings.agreement)
    return {
        "households": n,
        "total_area": _m2(total),
        "participation_households": math.ceil(p * n),
        "participation_area": _m2(p * total),
        "agreement_households": math.ceil(q * n),
        "agreement_area": _m2(q * total),
        "participation": fraction_words(p),
        "agreement": fraction_words(q),
    }


def _m2(area: Fraction) -> str:
    """Square metres to 0.01, rounded up: the quorum is a minimum, never understate it."""
    hundredths = -(-area.numerator * 100 // area.denominator)
    return f"{Decimal(hundredths).scaleb(-2):.2f}"


def estimate(building: Building, settings: Settings) -> Estimate:
    """Subsidy, the owners' part and each household's share, as a case would compute them.

    The subsidy is the tier for the building's floors, at most the cost (rules.subsidy); the
    rest is shared by coefficient × area with the largest-remainder rule (rules.cost), as if
    every household agreed.
    """
    subsidy_fen = subsidy.subsidy_cap(
        building.floors, building.estimated_cost_fen, settings.subsidy_tiers_fen
    )
    to_share = max(building.estimated_cost_fen - subsidy_fen, 0)
    keys = building.households()
    weights = {
        k: cost.weight(building.coefficients.get(k[0], Decimal(0)), building.areas[k]) for k in keys
    }
    note = ""
    if to_share == 0:
        shares = {k: 0 for k in keys}
        note = "补贴足以覆盖预计造价，业主无需分摊。"
    elif not any(weights.values()):
        shares = {k: 0 for k in keys}
        note = "所有楼层的系数均为 0，无法分摊：请至少为一个楼层设置大于 0 的系数。"
    else:
        shares = cost.share_costs(to_share, [(k, weights[k]) for k in keys])
    received = {
        k: building.compensation_fen for k in keys if not weights[k] and building.compensation_fen
    }
    try:
        paid = bill.compensation_paid(received, [(k, weights[k]) for k in keys])
    except ValueError:  # nobody carries a share: nobody can pay it (the note above says so)
        received, paid = {}, {k: 0 for k in keys}
    return Estimate(
        compensation_paid=paid,
        compensation_received=received,
        building=building,
        subsidy_fen=subsidy_fen,
        to_share_fen=to_share,
        shares=shares,
        weights=weights,
        total_area=sum(building.areas.values(), Decimal(0)),
        need=quorum_needed([building.areas[k] for k in keys], settings),
        note=note,
    )


def application_figures(building: Building) -> dict[str, Any]:
    """What "start an application with these figures" carries into a new draft (JSON-ready)."""
    return {
        "floors": building.floors,
        "households": [
            {"room": building.room(f, i), "floor": f, "area": f"{building.areas[(f, i)]:.2f}"}
            for f, i in building.households()
        ],
        "estimated_cost": yuan(building.estimated_cost_fen).replace(",", ""),
        "coefficients": {str(f): str(c) for f, c in building.coefficients.items()},
    }
