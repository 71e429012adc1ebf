"""Stand-ins (代理): a staff member away names a colleague of the same desk and role; while the
absence lasts the colleague has the absent person's cases and acts on them, every act recorded
as "刘窗口（代王窗口）"; nobody stands in for themselves and stand-ins never form a chain.
On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data import audit
from workflow.data.models import Event, OutboxMessage
from workflow.errors import Forbidden, GuardsFailed, InvalidInput
from workflow.notify import outbox
from workflow.read import cases as queries
from workflow.read import workload as loads

from ..journey import PASSWORD
from .test_concurrency import race

# The tests' clock starts on Monday 2026-11-23; the clerk is away that whole week.
WEEK = ("2026-11-23", "2026-11-27")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_url")


def _staff(rt, username, role, name, department=None, phone=None):
    return services.create_user(
        rt, None, username=username, password=PASSWORD, role=role, department=department,
        name=name, phone=phone,
    )  # fmt: skip


@pytest.fixture
def clerk2(rt, people):
    return _staff(rt, "clerk2", "clerk", "刘窗口", phone="13900000009")


@pytest.fixture
def planning2(rt, people):
    return _staff(rt, "planning2", "approver", "李规划", department="planning")


def reasons(exc) -> str:
    return "；".join(m.zh for m in exc.value.messages)


def events(rt, case_id, kind):
    with rt.db.session() as s:
        return s.scalars(
            select(Event).where(Event.case_id == case_id, Event.kind == kind).order_by(Event.seq)
        ).all()


# — recording an absence ————————————————————————————————————————————————————————————————


def test_an_absence_is_recorded_and_the_stand_in_is_told(rt, people, clerk2):
    answer = services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    assert answer == {
        "from": "2026-11-23",
        "to": "2026-11-27",
        "stand_in": {"username": "clerk2", "name": "刘窗口"},
        "current": True,
    }
    assert services.my_absence(rt, people.clerk.id) == answer
    assert services.standing_in(rt, clerk2.id) == [
        {"from": "2026-11-23", "to": "2026-11-27", "username": "clerk", "name": "王窗口",
         "current": True},
    ]  # fmt: skip
    with rt.db.session() as s:
        told = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "stand_in")).one()
        assert told.user_id == clerk2.id and told.phone == "13900000009"
        assert told.status == "pending"  # an SMS as well as the inbox
        assert "王窗口2026-11-23 至 2026-11-27请假" in told.text
        logged = s.scalars(select(Event).where(Event.kind == "absence_set")).one()
        assert logged.actor_id == people.clerk.id and logged.case_id is None
        assert logged.payload == {"from": "2026-11-23", "to": "2026-11-27", "stand_in": "刘窗口"}
    assert "代为办理" in outbox.inbox(rt, clerk2.id)[0]["text"]


def test_clearing_the_absence_tells_the_stand_in_and_ends_it(rt, people, clerk2):
    services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    assert services.clear_absence(rt, people.clerk.id) is True
    assert services.my_absence(rt, people.clerk.id) is None
    assert services.standing_in(rt, clerk2.id) == []
    assert services.clear_absence(rt, people.clerk.id) is False  # nothing left to clear
    with rt.db.session() as s:
        ended = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "stand_in_ended"))
        assert [m.user_id for m in ended] == [clerk2.id]
        assert s.scalars(
            select(Event.kind).where(Event.kind.like("absence%")).order_by(Event.seq)
        ).all() == [
            "absence_set",
            "absence_cleared",
        ]


def test_naming_another_stand_in_replaces_the_first_who_is_told(rt, people, clerk2):
    clerk3 = _staff(rt, "clerk3", "clerk", "陈窗口")
    services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    services.set_absence(rt, people.clerk.id, "2026-11-24", "2026-11-27", "clerk3")
    assert services.standing_in(rt, clerk2.id) == []
    assert [a["name"] for a in services.standing_in(rt, clerk3.id)] == ["王窗口"]
    with rt.db.session() as s:
        told = s.execute(
            select(OutboxMessage.kind, OutboxMessage.user_id).order_by(OutboxMessage.id)
        )
        assert list(told) == [
            ("stand_in", clerk2.id), ("stand_in_ended", clerk2.id), ("stand_in", clerk3.id),
        ]  # fmt: skip
        last = s.scalars(select(Event).where(Event.kind == "absence_set").order_by(Event.seq))
        assert last.all()[-1].payload["previous"] == "刘窗口"


def test_only_colleagues_of_the_same_desk_and_role_are_offered(rt, people, clerk2, planning2):
    assert services.stand_in_choices(rt, people.clerk.id) == [
        {"username": "clerk2", "name": "刘窗口"}
    ]
    assert services.stand_in_choices(rt, people.planning.id) == [
        {"username": "planning2", "name": "李规划"}
    ]
    assert services.stand_in_choices(rt, people.market.id) == []


def test_nobody_stands_in_for_themselves(rt, people):
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.clerk.id, *WEEK, "clerk")
    assert "不能指定自己为代理人" in reasons(refused)
    assert services.my_absence(rt, people.clerk.id) is None


def test_the_stand_in_works_at_the_same_desk_in_the_same_role(rt, people, planning2):
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.clerk.id, *WEEK, "housing")  # an approver
    assert "同一岗位、同一角色" in reasons(refused)
    with pytest.raises(GuardsFailed):  # an approver of another department
        services.set_absence(rt, people.planning.id, *WEEK, "market")
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.planning.id, *WEEK, "nobody")
    assert "没有这位在岗的工作人员" in reasons(refused)
    services.set_absence(rt, people.planning.id, *WEEK, "planning2")


def test_a_colleague_away_themselves_cannot_stand_in(rt, people, clerk2):
    _staff(rt, "clerk3", "clerk", "陈窗口")
    services.set_absence(rt, clerk2.id, "2026-11-26", "2026-12-02", "clerk3")
    with pytest.raises(GuardsFailed) as refused:  # the periods overlap on 26 and 27 November
        services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    assert "刘窗口在2026-11-26 至 2026-12-02也请假" in reasons(refused)
    # A week that does not meet the colleague's absence is fine.
    services.set_absence(rt, people.clerk.id, "2026-11-23", "2026-11-25", "clerk2")


def test_someone_standing_in_cannot_be_away_with_a_stand_in_of_their_own(rt, people, clerk2):
    _staff(rt, "clerk3", "clerk", "陈窗口")
    services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, clerk2.id, "2026-11-27", "2026-11-30", "clerk3")
    assert "您在2026-11-23 至 2026-11-27代理王窗口的工作" in reasons(refused)
    services.set_absence(rt, clerk2.id, "2026-11-28", "2026-11-30", "clerk3")


def test_two_absences_recorded_at_once_make_no_chain(rt, people, clerk2):
    """王窗口 names 刘窗口 while 刘窗口 names 陈窗口 for the same week: one of them is refused."""
    _staff(rt, "clerk3", "clerk", "陈窗口")
    asks = [(people.clerk.id, "clerk2"), (clerk2.id, "clerk3")]
    results = race(2, lambda i: services.set_absence(rt, asks[i][0], *WEEK, asks[i][1]))
    assert sorted(type(r).__name__ for r in results) == ["GuardsFailed", "dict"], results


def test_the_dates_make_a_period_not_yet_over(rt, people, clerk2):
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.clerk.id, "2026-11-27", "2026-11-23", "clerk2")
    assert "结束日期不能早于开始日期" in reasons(refused)
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.clerk.id, "2026-11-16", "2026-11-20", "clerk2")
    assert "已经过去" in reasons(refused)
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.clerk.id, "2026-11-23", "2028-01-01", "clerk2")
    assert "最长一年" in reasons(refused)
    with pytest.raises(InvalidInput) as refused:
        services.set_absence(rt, people.clerk.id, "2026-11-31", "2026-12-01", "clerk2")
    assert "开始日期" in reasons(refused)
    # Begun last week and going on until Wednesday: recorded.
    assert services.set_absence(rt, people.clerk.id, "2026-11-16", "2026-11-25", "clerk2")[
        "current"
    ]


def test_every_reason_comes_at_once(rt, people):
    with pytest.raises(GuardsFailed) as refused:
        services.set_absence(rt, people.clerk.id, "2026-11-27", "2026-11-23", "clerk")
    assert {m.code for m in refused.value.messages} == {"to", "stand_in"}


def test_homeowners_and_the_admin_record_no_absence(rt, people):
    for who in (people.owner, people.admin):
        with pytest.raises(Forbidden):
            services.set_absence(rt, who.id, *WEEK, "clerk")
        with pytest.raises(Forbidden):
            services.clear_absence(rt, who.id)


# — acting in the absent person's stead ———————————————————————————————————————————————————


def test_the_stand_in_has_the_cases_and_each_act_names_whom_they_stood_in_for(
    rt, journey, people, clerk2, clock
):
    case_id = journey.case_in("submitted")
    services.set_handler(rt, people.clerk.id, case_id, "clerk")
    services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    mine = queries.list_cases(rt, clerk2.id, handler="me")["items"]
    assert [c["id"] for c in mine] == [case_id]

    services.fire(rt, clerk2.id, case_id, "accept")

    (accepted,) = events(rt, case_id, "accept")
    assert accepted.actor_id == clerk2.id and accepted.actor_name == "刘窗口（代王窗口）"
    assert accepted.payload["on_behalf_of"] == {"id": people.clerk.id, "name": "王窗口"}
    history = queries.history(rt, people.housing.id, case_id)
    assert [e["who"] for e in history if e["kind"] == "accept"] == ["刘窗口（代王窗口）"]
    with rt.db.session() as s:
        assert audit.verify(s)[1] is None  # the chain holds what was written


def test_acts_on_other_cases_and_after_the_absence_are_the_stand_ins_own(
    rt, journey, people, clerk2, clock
):
    theirs, unassigned = journey.case_in("submitted"), journey.case_in("submitted")
    services.set_handler(rt, people.clerk.id, theirs, "clerk")
    services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    services.fire(rt, clerk2.id, unassigned, "accept")
    assert events(rt, unassigned, "accept")[0].actor_name == "刘窗口"
    clock.advance(days=7)  # back at work on Monday 30 November
    assert queries.list_cases(rt, clerk2.id, handler="me")["items"] == []
    services.fire(rt, clerk2.id, theirs, "accept")
    assert events(rt, theirs, "accept")[0].actor_name == "刘窗口"


def test_an_approvers_stand_in_gives_the_departments_opinion(rt, journey, people, planning2):
    case_id = journey.case_in("review")
    services.set_handler(rt, people.planning.id, case_id, "planning")
    services.set_absence(rt, people.planning.id, *WEEK, "planning2")
    services.give_opinion(rt, planning2.id, case_id, verdict="agree", comment="符合规划")
    with pytest.raises(Exception, match="已出具意见"):  # the department's one opinion
        services.give_opinion(rt, people.planning.id, case_id, verdict="agree")
    for who in (people.housing, people.market):
        services.give_opinion(rt, who.id, case_id, verdict="agree", comment="同意")
    assert services.fire(rt, people.housing.id, case_id, "approve").state == "approved"
    by_department = {e.payload["department"]: e.actor_name for e in events(rt, case_id, "opinion")}
    assert by_department == {
        "planning": "李规划（代钱规划）",
        "housing": "赵住建",
        "market": "孙市监",
    }


def test_the_leads_stand_in_assigns_the_desks_cases_while_the_lead_is_away(
    rt, journey, people, clerk2, clock
):
    rt.settings = replace(rt.settings, desk_leads={"window": "clerk"})
    _staff(rt, "clerk3", "clerk", "陈窗口")
    case_id = journey.case_in("submitted")
    services.set_handler(rt, people.clerk.id, case_id, "clerk")
    with pytest.raises(Forbidden):
        services.set_handler(rt, clerk2.id, case_id, "clerk3")
    services.set_absence(rt, people.clerk.id, *WEEK, "clerk2")
    services.set_handler(rt, clerk2.id, case_id, "clerk3")
    assert loads.lead_desks(rt, clerk2.id) == ["window"]
    handed = events(rt, case_id, "handler")[-1]
    assert handed.actor_name == "刘窗口（代王窗口）" and handed.payload["handler"] == "陈窗口"
    clock.advance(days=7)
    with pytest.raises(Forbidden):
        services.set_handler(rt, clerk2.id, case_id, "clerk")
    assert loads.lead_desks(rt, clerk2.id) == []
