"""The staff's queues (a few states each, read one index range per state and merged): every
filter shows exactly the cases it names, oldest first, page after page by cursor both ways and
by offset, with the right total; on SQLite and on PostgreSQL, over bulk cases spread over the
states, the 街道 and the desks' handlers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, select, text

from workflow.data.config import calendar
from workflow.data.models import Case, CaseHandler
from workflow.demo.bulk import generate
from workflow.process.states import STATE, states_tagged
from workflow.read import cases as queries
from workflow.read import registers

from ..conftest import make_runtime
from ..journey import Clock, make_people


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def office(request, tmp_path_factory):
    """400 bulk cases, made once for the module's tests (they only read)."""
    tmp = tmp_path_factory.mktemp("queues")
    clock = Clock()
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'queues.sqlite3'}"
    else:
        from web.schema import upgrade_database

        server = request.getfixturevalue("pg_server")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{schema}"
        upgrade_database(url)
    rt = make_runtime(url, tmp, clock)
    people = make_people(rt)
    generate(rt, 400, seed=21)
    yield rt, people, clock
    rt.db.dispose()
    if schema is not None:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def expected(rt, states, *, street=None, community=None, handler_of=None, unhandled_at=None):
    """The cases a filter names, oldest first, worked out in Python from every case."""
    with rt.db.session() as s:
        cases = s.scalars(select(Case).where(Case.state.in_(states))).all()
        handlers = s.execute(select(CaseHandler.case_id, CaseHandler.desk, CaseHandler.user_id))
        handlers = handlers.all()
    by_user = {(c, u) for c, _, u in handlers}
    by_desk = {(c, d) for c, d, _ in handlers}
    out = [
        c
        for c in cases
        if (street is None or c.street == street)
        and (community is None or c.community == community)
        and (handler_of is None or (c.id, handler_of) in by_user)
        and (unhandled_at is None or (c.id, unhandled_at) not in by_desk)
    ]
    return [c.id for c in sorted(out, key=lambda c: (c.updated_at, c.id))]


def every_page(rt, actor, **filters):
    """The ids shown following the next-page cursor from the first page to the last."""
    seen, after, last = [], None, None
    while True:
        page = queries.list_cases(rt, actor, per_page=7, after=after, **filters)
        seen += [c["id"] for c in page["items"]]
        last, after = page, page["next_cursor"]
        if after is None:
            return seen, last


def filters_to_check(rt, people):
    window, review = list(states_tagged("window")), list(states_tagged("review"))
    with rt.db.session() as s:
        community = s.scalar(
            select(Case.community).where(Case.state.in_(window)).order_by(Case.id).limit(1)
        )
    clerk, housing, planning = people.clerk.id, people.housing.id, people.planning.id
    return [
        (clerk, {"tag": "window"}, expected(rt, window)),
        (clerk, {"tag": "window", "street": "南城街道"}, expected(rt, window, street="南城街道")),
        (clerk, {"tag": "window", "community": community}, expected(rt, window, community=community)),
        (clerk, {"tag": "window", "state": "consultation"}, expected(rt, ["consultation"])),
        (clerk, {"tag": "window", "state": "review"}, []),  # not a window state
        (clerk, {"tag": "window", "handler": "me"}, expected(rt, window, handler_of=clerk)),
        (clerk, {"tag": "window", "handler": "none"}, expected(rt, window, unhandled_at="window")),
        (housing, {"tag": "review"}, expected(rt, review)),
        (housing, {"tag": "review", "handler": "me"}, expected(rt, review, handler_of=housing)),
        (planning, {"tag": "review", "handler": "none"}, expected(rt, review, unhandled_at="planning")),
        (clerk, {"state": "subsidy_paid"}, expected(rt, ["subsidy_paid"])),
    ]  # fmt: skip


def test_every_filter_shows_its_cases_once_oldest_first_page_by_page(office):
    rt, people, _ = office
    checked = 0
    for actor, filters, want in filters_to_check(rt, people):
        seen, last = every_page(rt, actor, **filters)
        assert seen == want, filters
        assert last["total"] == len(want), filters
        checked += len(want) > 7  # more than one page
    assert checked >= 6  # the data set gives most filters several pages


def test_the_previous_page_cursor_walks_back_the_same_pages(office):
    rt, people, _ = office
    for actor, filters, want in filters_to_check(rt, people):
        if len(want) <= 14:
            continue
        first = queries.list_cases(rt, actor, per_page=7, **filters)
        second = queries.list_cases(rt, actor, per_page=7, after=first["next_cursor"], **filters)
        third = queries.list_cases(rt, actor, per_page=7, after=second["next_cursor"], **filters)
        back = queries.list_cases(rt, actor, per_page=7, before=third["prev_cursor"], **filters)
        assert [c["id"] for c in back["items"]] == want[7:14], filters
        again = queries.list_cases(rt, actor, per_page=7, before=back["prev_cursor"], **filters)
        assert [c["id"] for c in again["items"]] == want[:7] and again["prev_cursor"] is None


def test_offset_pages_show_what_the_cursor_pages_show(office):
    rt, people, _ = office
    for actor, filters, want in filters_to_check(rt, people):
        for page in (2, 3):
            shown = queries.list_cases(rt, actor, per_page=7, page=page, **filters)["items"]
            assert [c["id"] for c in shown] == want[(page - 1) * 7 : page * 7], (filters, page)


def test_the_deadline_filters_show_the_cases_due_soon_and_overdue(office):
    rt, people, clock = office
    with rt.db.session() as s:
        timed = s.scalars(select(Case).where(Case.state.in_(("submitted", "review")))).all()
        dues = sorted({getattr(c, STATE[c.state].deadline) for c in timed} - {None})
    assert len(dues) >= 2
    # Today is the last day deadlines fall on: due soon and overdue both show cases.
    day = dues[-1]
    was, clock.now = clock.now, clock.now.replace(year=day.year, month=day.month, day=day.day)
    with rt.db.session() as s:
        soon = calendar(s).add_workdays(day, 2).due
    checked = set()
    for actor, tag in ((people.clerk.id, "window"), (people.housing.id, "review")):
        states = set(states_tagged(tag))
        overdue = [
            c for c in timed if c.state in states and getattr(c, STATE[c.state].deadline) < day
        ]
        due_soon = [
            c
            for c in timed
            if c.state in states and day <= getattr(c, STATE[c.state].deadline) <= soon
        ]
        for due, want in (("overdue", overdue), ("soon", due_soon)):
            want_ids = [c.id for c in sorted(want, key=lambda c: (c.updated_at, c.id))]
            seen, last = every_page(rt, actor, tag=tag, due=due)
            assert seen == want_ids and last["total"] == len(want_ids), (tag, due)
            if want_ids:
                checked.add(due)
    clock.now = was
    assert checked == {"soon", "overdue"}


def test_the_communities_and_streets_filters_list_each_value_with_a_case_once_in_order(office):
    rt, _, _ = office
    with rt.db.session() as s:
        names = s.scalars(select(Case.community).distinct().order_by(Case.community)).all()
        streets = s.scalars(
            select(Case.street).where(Case.street.is_not(None)).distinct().order_by(Case.street)
        ).all()
    assert registers.communities(rt) == names and len(names) > 20
    assert registers.streets(rt) == streets == ["北城街道", "南城街道", "环城街道"]
