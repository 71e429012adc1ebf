"""Builders that move a case through the process with the real use cases, so every test
starts from a state reached the way users reach it (never by poking rows)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from workflow import services
from workflow.data.runtime import Runtime

PASSWORD = "secret-pass-1"


class Clock:
    """A clock the tests move by hand (Beijing time, naive like the stored times)."""

    def __init__(self, start: datetime = datetime(2026, 11, 23, 9, 30)):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    for _ in range(pages):
        w.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


ROSTER = [
    {"room": "101", "floor": 1, "area": Decimal("70.00"), "owner_name": "陈桂兰", "phone": "13900000101"},
    {"room": "201", "floor": 2, "area": Decimal("70.00"), "owner_name": "刘国强", "phone": "13900000201"},
    {"room": "301", "floor": 3, "area": Decimal("80.00"), "owner_name": "李秀英", "phone": "13900000301"},
    {"room": "401", "floor": 4, "area": Decimal("80.00"), "owner_name": "周志华", "phone": "13900000401"},
    {"room": "501", "floor": 5, "area": Decimal("90.00"), "owner_name": "吴淑珍", "phone": "13900000501"},
    {"room": "601", "floor": 6, "area": Decimal("90.00"), "owner_name": "郑喆", "phone": "13900000601"},
]  # fmt: skip


# The subsidy goes to the applicant, an owner of the unit (301), at a bank branch in 枣阳.
PAYEE = "李秀英（301室业主），中国工商银行枣阳支行 6222 0218 0600 4321"
# What starting construction needs: the contractor, the licensed installer (GB 32100 code).
INSTALLER = {
    "contractor": "安居电梯工程公司",
    "start_date": "2026-12-01",
    "installer_name": "襄阳安居电梯安装有限公司",
    "installer_credit_code": "91420683MA4F0A1B2Y",
    "installer_licence": "TS3342001-2028",
    "planned_completion": "2027-03-01",
}
# Who runs the elevator (使用管理单位), named with the costs before the owners vote.
MANAGEMENT_UNIT = {
    "kind": "property",
    "name": "枣阳市安居物业服务有限公司",
    "credit_code": "91420683MA4F0A1B2Y",
    "phone": "13907100088",
}
# What reporting completion needs besides the papers: the registration and the maintenance.
COMPLETION = {
    "registration_number": "梯11鄂FA0042（26）",
    "maintenance_company": "襄阳安居电梯维保有限公司",
    "maintenance_credit_code": "91420683MA4F0A1B2Y",
    "maintenance_starts_on": "2026-12-01",
    "maintenance_ends_on": "2027-11-30",
}
REG_NO = "梯11鄂FA0042（26）"


def application(**over) -> dict:
    data = {
        "community": "翠湖花园",
        "address": "枣阳市南城街道光武大道 18 号",
        "building": "3号楼",
        "unit": "2单元",
        "floors": 6,
        "households": [dict(h) for h in ROSTER],
        # The price comes with the building: consultation cannot start without it.
        "estimated_cost": "600000",
    }
    data.update(over)
    return data


@dataclass
class People:
    admin: services.Account
    clerk: services.Account
    housing: services.Account
    planning: services.Account
    market: services.Account
    owner: services.Account
    neighbour: services.Account
    extra: dict = field(default_factory=dict)
    mediator: services.Account | None = None  # made by `add_mediator` where a test needs one


def make_people(rt: Runtime) -> People:
    def staff(username, role, dept=None, name=""):
        return services.create_user(
            rt, None, username=username, password=PASSWORD, role=role, department=dept, name=name
        )

    return People(
        admin=staff("admin", "admin", name="管理员"),
        clerk=staff("clerk", "clerk", name="王窗口"),
        housing=staff("housing", "approver", "housing", "赵住建"),
        planning=staff("planning", "approver", "planning", "钱规划"),
        market=staff("market", "approver", "market", "孙市监"),
        owner=services.register(rt, "13800000001", PASSWORD, "李秀英"),
        neighbour=services.register(rt, "13800000002", PASSWORD, "张建国"),
    )


def add_mediator(
    rt: Runtime, people: People, street: str | None = None, username: str = "mediator"
) -> services.Account:
    """The 街道's mediator (调解员); without a street it sees every referral."""
    people.mediator = services.create_user(
        rt, None, username=username, password=PASSWORD, role="mediator", name="周调解",
        street=street,
    )  # fmt: skip
    return people.mediator


# The happy path, one step per state reached; `advance(case, "review")` runs every step up to it.
PATH = [
    "draft", "consultation", "publicity", "submitted", "review", "approved",
    "construction", "acceptance", "completed", "subsidy_review", "subsidy_approved",
    "subsidy_paid",
]  # fmt: skip
# The finance bureau's payment of the subsidy a six-floor unit is approved (100,000 元).
PAYMENT = {"paid_on": "2026-11-23", "amount": "100000.00", "voucher": "枣财拨〔2026〕318号"}


class Journey:
    def __init__(self, rt: Runtime, people: People):
        self.rt, self.p = rt, people
        self.payee = PAYEE

    def new_case(self, **over) -> int:
        case_id = services.create_case(self.rt, self.p.owner.id, application(**over))
        services.set_costs(self.rt, self.p.owner.id, case_id, "600000")
        services.set_management_unit(self.rt, self.p.owner.id, case_id, MANAGEMENT_UNIT, "12000")
        return case_id

    def sign_all(self, case_id: int, choices: list[str] | None = None) -> None:
        links = services.signing_links(self.rt, self.p.owner.id, case_id)
        choices = choices or ["agree"] * len(links)
        for link, choice in zip(links, choices, strict=False):
            services.sign(
                self.rt,
                link["token"],
                owner_name=link["owner_name"],
                phone_tail=link["phone"][-4:],
                choice=choice,
                signature=link["owner_name"],
            )

    def step(self, case_id: int, state: str) -> None:
        """Take the case from the state before `state` (on PATH) into `state`."""
        rt, p, fire = self.rt, self.p, services.fire
        if state == "consultation":
            fire(rt, p.owner.id, case_id, "start_consultation")
        elif state == "publicity":
            self.sign_all(case_id)
            fire(rt, p.owner.id, case_id, "finish_consultation", {"place": "单元门口"})
        elif state == "submitted":
            services.upload_document(
                rt, p.owner.id, case_id, "design_plan", pdf_bytes(), "plan.pdf"
            )
            fire(rt, p.owner.id, case_id, "submit")
        elif state == "review":
            fire(rt, p.clerk.id, case_id, "accept")
        elif state == "approved":
            self.all_agree(case_id)
            fire(rt, p.housing.id, case_id, "approve")
        elif state == "construction":
            services.upload_document(rt, p.owner.id, case_id, "installation_notice", pdf_bytes())
            self.representatives_accept(case_id)
            fire(rt, p.owner.id, case_id, "start_construction", INSTALLER)
        elif state == "acceptance":
            services.upload_document(rt, p.owner.id, case_id, "inspection_report", pdf_bytes())
            services.upload_document(rt, p.owner.id, case_id, "equipment_registration", pdf_bytes())
            fire(rt, p.owner.id, case_id, "report_completion", COMPLETION)
        elif state == "completed":
            self.residents_satisfied(case_id)
            fire(rt, p.clerk.id, case_id, "confirm_completion")
        elif state == "subsidy_review":
            services.upload_document(rt, p.owner.id, case_id, "invoice", pdf_bytes())
            fire(
                rt,
                p.owner.id,
                case_id,
                "apply_subsidy",
                {"actual_cost": "586000.00", "payee": self.payee},
            )
        elif state == "subsidy_approved":
            fire(rt, p.housing.id, case_id, "approve_subsidy", {})
        elif state == "subsidy_paid":
            fire(rt, p.clerk.id, case_id, "record_payment", PAYMENT)
        else:
            raise ValueError(state)

    def tokens(self, case_id: int) -> dict[str, str]:
        """Each household's own link token, by room (as the window sees them)."""
        links = services.signing_links(self.rt, self.p.clerk.id, case_id)
        return {link["room"]: link["token"] for link in links}

    def representatives_accept(self, case_id: int, rooms: list[str] | None = None) -> list[str]:
        """The applicant names the first three households; each accepts through its link."""
        tokens = self.tokens(case_id)
        rooms = rooms or list(tokens)[:3]
        services.name_supervisors(self.rt, self.p.owner.id, case_id, rooms)
        self.accept_role(case_id, rooms)
        return rooms

    def accept_role(self, case_id: int, rooms: list[str]) -> None:
        """The named representatives accept, each through its household's link."""
        tokens = self.tokens(case_id)
        for room in rooms:
            services.accept_supervisor_role(self.rt, tokens[room], True)

    def residents_satisfied(self, case_id: int) -> None:
        """Every household of the unit is satisfied with the finished work."""
        for token in self.tokens(case_id).values():
            services.give_acceptance_opinion(self.rt, token, "satisfied")

    def all_agree(self, case_id: int) -> None:
        for who in (self.p.housing, self.p.planning, self.p.market):
            services.give_opinion(self.rt, who.id, case_id, verdict="agree", comment="同意")

    def objection_in_publicity(self, room: str = "101", text: str = "电梯井道遮挡采光") -> tuple:
        """A case in its public notice, its design plan uploaded, and an owner's objection
        lodged through the household's own link: (case id, objection id, that link)."""
        case_id = self.case_in("publicity")
        services.upload_document(self.rt, self.p.owner.id, case_id, "design_plan", pdf_bytes())
        link = next(
            x for x in services.signing_links(self.rt, self.p.owner.id, case_id)
            if x["room"] == room
        )  # fmt: skip
        oid = services.lodge_objection_by_link(self.rt, link["token"], text)
        return case_id, oid, link["token"]

    def mediated_without_agreement(self, case_id: int, oid: int) -> int:
        """The objection referred, one session held, no agreement: the 调解意见书's id."""
        mediator = self.p.mediator or add_mediator(self.rt, self.p)
        mid = services.refer(self.rt, self.p.owner.id, case_id, oid)
        services.record_session(
            self.rt, mediator.id, mid, held_on=self.rt.clock().date().isoformat(),
            place="社区调解室", attendees=["101室业主", "申请人"], notes="提出改用玻璃幕墙井道",
        )  # fmt: skip
        return services.record_outcome(
            self.rt, mediator.id, mid, agreed=False, opinion="采光影响在规范允许范围内，建议加装"
        )

    def case_in(self, state: str, **over) -> int:
        case_id = self.new_case(**over)
        for s in PATH[1 : PATH.index(state) + 1]:
            self.step(case_id, s)
        return case_id
