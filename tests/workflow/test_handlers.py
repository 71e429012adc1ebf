"""Who has the case: one named handler per desk, taken by a member of the desk or assigned by
its lead; every change in the audit log and in the new handler's inbox."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from workflow import services
from workflow.data.models import Event, OutboxMessage
from workflow.errors import Conflict, Forbidden
from workflow.read import cases as queries
from workflow.read import workload as loads

from ..journey import PASSWORD


@pytest.fixture
def second_clerk(rt):
    return services.create_user(
        rt, None, username="clerk2", password=PASSWORD, role="clerk", name="刘窗口",
        phone="13900000009",
    )  # fmt: skip


@pytest.fixture
def clerk_lead(rt, people):
    rt.settings = replace(rt.settings, desk_leads={"window": people.clerk.username})
    return people.clerk


def test_a_clerk_takes_an_unassigned_case_and_the_queue_shows_it_as_theirs(rt, journey, people):
    case_id = journey.case_in("submitted")
    assert [c["id"] for c in queries.list_cases(rt, people.clerk.id, handler="none")["items"]] == [
        case_id
    ]
    services.set_handler(rt, people.clerk.id, case_id, people.clerk.username)
    mine = queries.list_cases(rt, people.clerk.id, handler="me")["items"]
    assert [c["id"] for c in mine] == [case_id]
    assert mine[0]["handlers"] == [{"desk": "window", "username": "clerk", "name": "王窗口"}]
    assert queries.list_cases(rt, people.clerk.id, handler="none")["items"] == []
    with rt.db.session() as s:
        e = s.scalars(select(Event).where(Event.kind == "handler")).one()
        assert e.payload == {"desk": "window", "handler": "王窗口"} and e.case_id == case_id


def test_a_taken_case_is_not_taken_again_by_a_colleague(rt, journey, people, second_clerk):
    case_id = journey.case_in("submitted")
    services.set_handler(rt, people.clerk.id, case_id, people.clerk.username)
    with pytest.raises(Forbidden):
        services.set_handler(rt, second_clerk.id, case_id, second_clerk.username)
    with pytest.raises(Forbidden):  # nor handed to oneself by anyone but the lead
        services.set_handler(rt, second_clerk.id, case_id, None)


def test_the_desk_lead_reassigns_and_the_new_handler_is_told(
    rt, journey, people, second_clerk, clerk_lead
):
    case_id = journey.case_in("submitted")
    services.set_handler(rt, people.clerk.id, case_id, people.clerk.username)
    services.set_handler(rt, clerk_lead.id, case_id, second_clerk.username)
    assert [c["id"] for c in queries.list_cases(rt, second_clerk.id, handler="me")["items"]] == [
        case_id
    ]
    with rt.db.session() as s:
        told = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "handler")).one()
        assert told.user_id == second_clerk.id and told.phone == "13900000009"
        assert "王窗口" in told.text
        assert told.text.endswith(f"/staff/cases/{case_id}")  # one tap to the case, any desk
        last = s.scalars(select(Event).where(Event.kind == "handler").order_by(Event.id)).all()[-1]
        assert last.payload["previous"] == "王窗口" and last.payload["handler"] == "刘窗口"


def test_the_lead_assigns_many_cases_from_the_queue_at_once(
    rt, journey, people, second_clerk, clerk_lead
):
    ids = [journey.case_in("submitted") for _ in range(3)]
    draft = journey.new_case()
    assert services.assign_many(rt, clerk_lead.id, [*ids, draft], second_clerk.username) == 3
    assert queries.list_cases(rt, second_clerk.id, handler="clerk2")["total"] == 3


def test_only_the_lead_or_the_admin_assigns(rt, journey, people, second_clerk):
    case_id = journey.case_in("submitted")
    with pytest.raises(Forbidden):
        services.set_handler(rt, second_clerk.id, case_id, people.clerk.username)
    services.set_handler(rt, people.admin.id, case_id, people.clerk.username)
    assert queries.list_cases(rt, people.clerk.id, handler="me")["total"] == 1


def test_a_case_not_waiting_on_the_desk_has_no_handler_there(rt, journey, people):
    case_id = journey.case_in("review")
    with pytest.raises(Conflict):
        services.set_handler(rt, people.clerk.id, case_id, people.clerk.username)
    # Each department of the joint review has its own handler.
    services.set_handler(rt, people.planning.id, case_id, people.planning.username)
    services.set_handler(rt, people.housing.id, case_id, people.housing.username)
    item = queries.list_cases(rt, people.housing.id, handler="me")["items"][0]
    assert {h["desk"] for h in item["handlers"]} == {"housing", "planning"}


def test_queues_filter_by_deadline_and_the_workload_counts_per_person(
    rt, journey, people, clock, clerk_lead
):
    late = journey.case_in("submitted")
    clock.advance(days=10)
    fresh = journey.case_in("submitted")
    overdue = queries.list_cases(rt, people.clerk.id, due="overdue")["items"]
    soon = queries.list_cases(rt, people.clerk.id, due="soon")["items"]
    assert [c["id"] for c in overdue] == [late] and [c["id"] for c in soon] == [fresh]
    services.set_handler(rt, people.clerk.id, late, people.clerk.username)
    services.set_handler(rt, people.clerk.id, fresh, people.clerk.username)
    services.fire(rt, people.clerk.id, fresh, "accept")
    rows = {r["username"]: r for r in loads.workload(rt, clerk_lead.id, "window")["rows"]}
    assert rows["clerk"]["open"] == 1 and rows["clerk"]["overdue"] == 1
    assert rows["clerk"]["done_this_month"] >= 1
    with pytest.raises(Forbidden):
        loads.workload(rt, people.housing.id, "window")


def test_saved_views_are_each_persons_own(rt, people):
    services.save_view(rt, people.clerk.id, "我的超期", "window", "handler=me&due=overdue")
    assert [v["name"] for v in services.saved_views(rt, people.clerk.id)] == ["我的超期"]
    assert services.saved_views(rt, people.housing.id) == []
