"""Demo data: an account for every role and department, and cases spread over the states,
all made through the use cases (so the audit log and letters are real). Loaded once."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from .. import services
from ..data.models import Case, User
from ..data.runtime import Runtime

PASSWORD = "jiati-demo-2026"  # nosec B105  # the documented demo login, never production

STAFF = [
    ("admin", "admin", None, "系统管理员"),
    ("clerk", "clerk", None, "王窗口"),
    ("clerk2", "clerk", None, "刘窗口"),
    ("housing", "approver", "housing", "赵住建"),
    ("planning", "approver", "planning", "钱规划"),
    ("market", "approver", "market", "孙市监"),
]
OWNERS = [("13800000001", "李秀英"), ("13800000002", "张建国")]
# 枣阳市's sub-districts (街道); the public register filters by them.
STREETS = ("南城街道", "北城街道", "环城街道")
# One mediator (调解员) per 街道, seeing that street's referrals only.
MEDIATORS = [
    ("mediator1", "南城街道", "周调解"),
    ("mediator2", "北城街道", "吴调解"),
    ("mediator3", "环城街道", "郑调解"),
]
INSTALLER = {
    "installer_name": "襄阳安居电梯安装有限公司",
    "installer_credit_code": "91420683MA4F0A1B2Y",
    "installer_licence": "TS3342001-2028",
}
# Installers with different records on the public page; the third is barred after its job.
INSTALLERS = {
    "other": {
        "installer_name": "湖北汉江电梯工程有限公司",
        "installer_credit_code": "91420600MA49TQ2P65",
        "installer_licence": "TS3342017-2027",
    },
    "barred": {
        "installer_name": "枣阳快装电梯有限公司",
        "installer_credit_code": "91420683MA4G7P1W5G",
        "installer_licence": "TS3342099-2026",
    },
}
# Who runs each demo elevator (使用管理单位), named with the costs.
MANAGEMENT_UNIT = {
    "kind": "property",
    "name": "枣阳市安居物业服务有限公司",
    "credit_code": "91420683MA4E8K3L20",
    "phone": "13907100088",
}

ROSTER = [
    ("101", 1, "72.50", "陈桂兰"), ("201", 2, "72.50", "刘国强"), ("301", 3, "85.20", "李秀英"),
    ("401", 4, "85.20", "周志华"), ("501", 5, "85.20", "吴淑珍"), ("601", 6, "90.10", "郑喆"),
]  # fmt: skip


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


# Communities of 枣阳市, one per 街道, with the street they stand on.
PLACES = [
    ("光武花园", "南城街道光武大道"),
    ("书院小区", "北城街道书院街"),
    ("沙河湾小区", "环城街道沙河路"),
]
# The applicant applies for the unit they own a flat in (the other rooms are neighbours').
APPLICANT_ROOMS = {"李秀英": "301", "张建国": "401"}
BANK = "中国工商银行枣阳支行"


def _households(prefix: str, applicant: str) -> list[dict]:
    own = APPLICANT_ROOMS[applicant]
    return [
        {
            "room": room,
            "floor": floor,
            "area": Decimal(area),
            "owner_name": applicant if room == own else name,
            "phone": f"139{prefix}{i:04d}",
        }
        for i, (room, floor, area, name) in enumerate(ROSTER, start=1)
    ]


def _place(n: int) -> dict:
    community, street = PLACES[n % 3]
    return {
        "community": community,
        "street": street[: street.index("街道") + 2],
        "address": f"枣阳市{street}{10 + n}号",
        "building": f"{n + 1}号楼",
        "unit": "1单元",
    }


def payee(applicant: str, n: int) -> str:
    """The subsidy goes to an owner of the same unit: the applicant's own account."""
    p = _place(n)
    room = APPLICANT_ROOMS[applicant]
    return (
        f"{applicant}（{p['community']}{p['building']}{p['unit']}{room}室业主），"
        f"{BANK} 6222 0218 0600 {4321 + n}"
    )


def _case(rt: Runtime, owner: int, n: int, applicant: str) -> int:
    return services.create_case(
        rt,
        owner,
        {**_place(n), "floors": 6, "households": _households(f"{n:04d}", applicant)},
    )


def _sign_all(rt: Runtime, case_id: int, owner: int, agree: int = 5) -> None:
    case = services.signing_links(rt, owner, case_id)
    for i, link in enumerate(case):
        choice = "agree" if i < agree else "object"
        services.sign(
            rt,
            link["token"],
            owner_name=link["owner_name"],
            phone_tail=link["phone"][-4:],
            choice=choice,
            signature=link["owner_name"],
        )


def load(rt: Runtime) -> list[str]:
    with rt.db.session() as s:
        if s.scalar(select(User.id).where(User.username == "clerk")) is not None:
            return []
    ids = {}
    for username, role, dept, name in STAFF:
        ids[username] = services.create_user(
            rt, None, username=username, password=PASSWORD, role=role, department=dept, name=name
        ).id
    for username, street, name in MEDIATORS:
        ids[username] = services.create_user(
            rt, None, username=username, password=PASSWORD, role="mediator", name=name,
            street=street,
        ).id  # fmt: skip
    for phone, name in OWNERS:
        ids[phone] = services.register(rt, phone, PASSWORD, name).id
    # The demo's finished cases skip the waiting: their notices are shortened explicitly, and
    # each says so on its publicity report (a period under the rule's minimum).
    quick = replace(rt, settings=replace(rt.settings, publicity_days=0, demo_short_publicity=True))
    owner, other = ids["13800000001"], ids["13800000002"]
    pdf = blank_pdf()

    names = dict(OWNERS)
    number_of = {}
    today = rt.clock().date()
    installer_of: dict[int, dict[str, str]] = {}

    def to(
        state_steps: list[str], n: int, applicant: int = owner, installer: str | None = None
    ) -> int:
        phone = next(p for p in names if ids[p] == applicant)
        cid = _case(quick, applicant, n, names[phone])
        if installer:
            installer_of[cid] = INSTALLERS[installer]
        number_of[cid] = (names[phone], n)
        # The ground and first floors are compensated by those who pay a share (低层补偿).
        services.set_costs(
            quick, applicant, cid, "600000", compensation={"101": "6000.00", "201": "6000.00"}
        )
        services.set_management_unit(quick, applicant, cid, MANAGEMENT_UNIT, "12000")
        for step in state_steps:
            step_fn[step](cid, applicant)
        return cid

    def consult(cid: int, a: int) -> None:
        services.fire(quick, a, cid, "start_consultation")

    def signed(cid: int, a: int) -> None:
        _sign_all(quick, cid, a)

    def notice(cid: int, a: int) -> None:
        services.fire(quick, a, cid, "finish_consultation", {"place": "单元门口公告栏"})
        services.upload_document(quick, a, cid, "design_plan", pdf, "设计方案.pdf")

    def submit(cid: int, a: int) -> None:
        services.fire(quick, a, cid, "submit")

    def accept(cid: int, a: int) -> None:
        services.fire(quick, ids["clerk"], cid, "accept")

    def correction(cid: int, a: int) -> None:
        services.fire(
            quick,
            ids["clerk"],
            cid,
            "request_correction",
            {"items": [{"document": "design_plan", "text": "设计方案缺少结构安全评估章节"}]},
        )

    def opinions(cid: int, a: int) -> None:
        for dept in ("housing", "planning", "market"):
            services.give_opinion(quick, ids[dept], cid, verdict="agree", comment="符合要求")

    def approve(cid: int, a: int) -> None:
        services.fire(quick, ids["housing"], cid, "approve")

    def tokens(cid: int, a: int) -> dict[str, str]:
        return {x["room"]: x["token"] for x in services.signing_links(quick, a, cid)}

    def mediated(cid: int, a: int) -> None:
        """101 objects; mediation at the 街道 ends without agreement (调解意见书)."""
        mid = _objection_referred(quick, ids, cid, a)
        services.record_outcome(
            quick, _mediator_of(quick, ids, cid), mid, agreed=False,
            opinion="井道外墙改用玻璃幕墙后，采光影响在规范允许范围内，建议准予加装。",
        )  # fmt: skip

    def weighed(cid: int, a: int) -> None:
        services.fire(
            quick, ids["housing"], cid, "approve",
            {"weighing": "日照分析表明加装后101室采光仍符合规范，该异议不构成不予批准的理由。"},
        )  # fmt: skip

    def build(cid: int, a: int) -> None:
        services.upload_document(quick, a, cid, "installation_notice", pdf, "安装告知回执.pdf")
        # The unit's residents' representatives: two accept by their links, one on paper.
        links = tokens(cid, a)
        rooms = list(links)[:3]
        services.name_supervisors(quick, a, cid, rooms)
        for room in rooms[:2]:
            services.accept_supervisor_role(quick, links[room], True)
        services.record_paper_supervisor(quick, ids["clerk"], cid, rooms[2])
        services.fire(
            quick,
            a,
            cid,
            "start_construction",
            {
                "contractor": "枣阳市安居电梯工程有限公司",
                "start_date": (today - timedelta(days=90)).isoformat(),
                # Some on time, some late: the installers' record compares them.
                "planned_completion": (today - timedelta(days=10 * (cid % 3) - 5)).isoformat(),
                **installer_of.get(cid, INSTALLER),
            },
        )

    def report(cid: int, a: int) -> None:
        services.upload_document(quick, a, cid, "inspection_report", pdf, "监督检验报告.pdf")
        services.upload_document(quick, a, cid, "equipment_registration", pdf, "使用登记证.pdf")
        services.fire(
            quick, a, cid, "report_completion",
            {
                "registration_number": f"梯11鄂F{cid:05d}",
                "maintenance_company": "襄阳安居电梯维保有限公司",
                "maintenance_credit_code": "91420683MA4H2R9T30",
                "maintenance_starts_on": (today - timedelta(days=340)).isoformat(),
                # One contract ends within the month: the register and the reminders show it.
                "maintenance_ends_on": (today + timedelta(days=20 + 300 * (cid % 2))).isoformat(),
            },
        )  # fmt: skip

    def problem(cid: int, a: int) -> None:
        # A neighbour reports a problem during construction, still open.
        links = tokens(cid, a)
        services.report_problem(quick, links[list(links)[4]], "施工材料堆放在楼道，影响出行")

    def half_round(cid: int, a: int) -> None:
        # The residents' acceptance half done: three households of six have answered.
        links = list(tokens(cid, a).values())
        services.give_acceptance_opinion(quick, links[0], "satisfied")
        services.give_acceptance_opinion(quick, links[1], "basically_satisfied", "楼道墙面待修补")
        services.give_acceptance_opinion(quick, links[4], "dissatisfied", "运行时有噪音")

    def confirm(cid: int, a: int) -> None:
        for token in tokens(cid, a).values():
            services.give_acceptance_opinion(quick, token, "satisfied")
        services.fire(quick, ids["clerk"], cid, "confirm_completion")

    def subsidy(cid: int, a: int) -> None:
        services.upload_document(quick, a, cid, "invoice", pdf, "发票.pdf")
        services.fire(
            quick,
            a,
            cid,
            "apply_subsidy",
            {"actual_cost": "586000.00", "payee": payee(*number_of[cid])},
        )

    def subsidy_ok(cid: int, a: int) -> None:
        services.fire(quick, ids["housing"], cid, "approve_subsidy", {})

    def paid(cid: int, a: int) -> None:
        with quick.db.session() as s:
            fen = s.get(Case, cid).subsidy_fen or 0
        services.fire(
            quick,
            ids["clerk"],
            cid,
            "record_payment",
            {
                "paid_on": quick.clock().date().isoformat(),
                "amount": f"{fen // 100}.{fen % 100:02d}",
                "voucher": f"枣财拨〔{quick.clock().year}〕{cid}号",
            },
        )

    def reject(cid: int, a: int) -> None:
        # A refusal rests on every department's opinion, as an approval does.
        for dept in ("housing", "market"):
            services.give_opinion(quick, ids[dept], cid, verdict="agree", comment="符合要求")
        services.give_opinion(
            quick, ids["planning"], cid, verdict="disagree", comment="电梯井道占用消防通道"
        )
        services.fire(
            quick,
            ids["housing"],
            cid,
            "reject",
            {"reasons": "加装方案占用消防通道，经规划部门审查不符合要求。"},
        )

    def refuse(cid: int, a: int) -> None:
        services.fire(
            quick,
            ids["clerk"],
            cid,
            "refuse_acceptance",
            {"reasons": "该楼栋已列入棚户区改造征收范围，不属于既有住宅加装电梯的范围。"},
        )

    def withdraw(cid: int, a: int) -> None:
        services.fire(quick, a, cid, "withdraw", {"reason": "业主内部协商暂缓"})

    step_fn = {k: v for k, v in locals().items() if callable(v) and k != "to"}
    # The happy path's steps in order; a demo case stops after the named one, and the side
    # states branch off from the step before.
    happy = ["consult", "signed", "notice", "submit", "accept", "opinions", "approve", "build",
             "report", "confirm", "subsidy", "subsidy_ok", "paid"]  # fmt: skip

    def upto(step: str) -> list[str]:
        return happy[: happy.index(step) + 1]

    # One case stopping at each step, and the side roads: correction, rejection, withdrawal,
    # refusal to accept.
    made = [
        to([], 0),
        to(upto("consult"), 1),
        to(upto("submit"), 2),
        to([*upto("submit"), "correction"], 3),
        to(upto("accept"), 4),
        to(upto("approve"), 5),
        to([*upto("build"), "problem"], 6, other, "barred"),
        to([*upto("report"), "half_round"], 12, other, "other"),
        to(upto("subsidy"), 7, other),
        to(upto("subsidy_ok"), 8, other, "other"),
        to(upto("paid"), 14, other),
        to([*upto("accept"), "reject"], 9, other),
        to([*upto("consult"), "withdraw"], 10, other),
        to([*upto("submit"), "refuse"], 13),
        # An objection mediated without agreement, weighed by the decision.
        to([*upto("notice"), "mediated", "submit", "accept", "opinions", "weighed"], 14),
    ]
    # The register: one elevator's yearly inspection falls due within the month, the other's
    # is overdue (each recorded inspection moves the next a year on).
    soon, late = made[8], made[9]
    services.record_inspection(
        rt, ids["clerk"], soon, today - timedelta(days=365 - 20), "合格", pdf
    )
    services.record_inspection(
        rt, ids["clerk"], late, today - timedelta(days=365 + 12), "合格", pdf
    )
    # The city bars one installer from new work (its job under way goes on).
    services.bar_installer(
        rt, ids["admin"], INSTALLERS["barred"]["installer_credit_code"],
        "施工期间居民反映的安全问题拒不整改", "枣阳住建〔2026〕12号",
        today + timedelta(days=180),
    )  # fmt: skip
    # One case in a real public-notice period, with the configured number of days.
    cid = _case(rt, owner, 11, names["13800000001"])
    services.set_costs(rt, owner, cid, "580000")
    services.fire(rt, owner, cid, "start_consultation")
    _sign_all(rt, cid, owner)
    services.fire(rt, owner, cid, "finish_consultation", {"place": "单元门口公告栏"})
    made.append(cid)
    # Its neighbour at 101 objects; the clerk refers it, the mediator has met them once.
    _objection_referred(rt, ids, cid, owner)
    _rate_demo(rt, owner, made[5])
    _handlers_demo(rt, ids, made)

    lines = [
        f"{u} / {PASSWORD}  ({role}{'，' + dept if dept else ''}，{name})"
        for u, role, dept, name in STAFF
    ]
    lines += [f"{u} / {PASSWORD}  (mediator，{street}，{name})" for u, street, name in MEDIATORS]
    lines += [f"{p} / {PASSWORD}  (homeowner，{name})" for p, name in OWNERS]
    with rt.db.session() as s:
        states = {c.id: c.state for c in s.scalars(select(Case).where(Case.id.in_(made)))}
    lines.append("cases: " + ", ".join(f"#{cid} {states[cid]}" for cid in made))
    return lines


def _handlers_demo(rt: Runtime, ids: dict, made: list[int]) -> None:
    """王窗口 leads the window: one case taken, one handed to 刘窗口, the rest unassigned; 赵住建
    has taken a case under joint review."""
    services.change_settings(rt, ids["admin"], {"desk_leads": {"window": "clerk"}})
    services.set_handler(rt, ids["clerk"], made[2], "clerk")  # 待受理
    services.set_handler(rt, ids["clerk"], made[7], "clerk2")  # 待竣工核验
    services.set_handler(rt, ids["housing"], made[4], "housing")  # 联合审查


def _mediator_of(rt: Runtime, ids: dict, case_id: int) -> int:
    with rt.db.session() as s:
        street = s.get(Case, case_id).street
    return next(ids[u] for u, st, _ in MEDIATORS if st == street)


def _objection_referred(rt: Runtime, ids: dict, case_id: int, applicant: int) -> int:
    """101 objects through its own link; the clerk refers it; one session is held."""
    link = next(x for x in services.signing_links(rt, applicant, case_id) if x["room"] == "101")
    oid = services.lodge_objection_by_link(
        rt, link["token"], "电梯井道紧贴101室窗户，影响采光和通风。"
    )
    mid = services.refer(rt, ids["clerk"], case_id, oid)
    services.record_session(
        rt, _mediator_of(rt, ids, case_id), mid, held_on=rt.clock().date().isoformat(),
        place="社区居委会调解室", attendees=["101室业主", "申请人", "设计单位代表"],
        notes="设计单位提出井道外墙改用玻璃幕墙；101室业主仍担心采光，未同意。",
    )  # fmt: skip
    return mid


def _rate_demo(rt: Runtime, applicant: int, case_id: int) -> None:
    """好差评 of an approved case: the acceptance rated well, the approval badly."""
    acts = {a["trigger"]: a["act"] for a in services.ratings_of(rt, applicant, case_id)["acts"]}
    services.rate(rt, applicant, case_id, acts["accept"], 5, "窗口一次告知，办理很快。")
    services.rate(rt, applicant, case_id, acts["approve"], 2, "审查期间电话多次无人接听。")
