"""The statistics page's figures from SQL aggregates equal those counted in Python from every
event, on a seeded data set of a few hundred cases, on SQLite and PostgreSQL; and the figures
from a checkpoint of the log plus the events since equal those from the whole log."""

import shutil
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import replace
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from workflow.data.config import calendar
from workflow.data.models import Case, Event, StatisticsCheckpoint
from workflow.demo.bulk import generate
from workflow.process.states import STATES
from workflow.read import statistics
from workflow.read.cases import deadline_of

from ..conftest import make_runtime
from ..journey import Clock, Journey, make_people


def seed(rt):
    people = make_people(rt)
    journey = Journey(rt, people)
    journey.case_in("subsidy_approved")
    journey.case_in("submitted")
    generate(rt, 400, seed=7)
    return people


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory):
    """The seeded set on SQLite, made once for the module: each test gets its own copy of the
    database and files, and a clock where seeding left it."""
    folder = tmp_path_factory.mktemp("stats")
    clock = Clock()
    rt = make_runtime(f"sqlite:///{folder / 'stats.sqlite3'}", folder, clock)
    people = seed(rt)
    rt.db.dispose()
    return folder, people, clock()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded(request, tmp_path, clock):
    if request.param == "sqlite":
        folder, people, now = request.getfixturevalue("seeded_sqlite")
        shutil.copytree(folder / "files", tmp_path / "files")
        with closing(sqlite3.connect(folder / "stats.sqlite3")) as source:
            with closing(sqlite3.connect(tmp_path / "stats.sqlite3")) as target:
                source.backup(target)
        clock.now = now
        rt = make_runtime(f"sqlite:///{tmp_path / 'stats.sqlite3'}", tmp_path, clock)
        people = replace(people, extra={})
    else:
        from web.schema import upgrade_database

        url = request.getfixturevalue("pg_url")
        upgrade_database(url)
        rt = make_runtime(url, tmp_path, clock)
        people = seed(rt)
    yield rt, people
    rt.db.dispose()


def python_figures(s, today):
    """The figures as they were counted before: every event and deadline case in Python."""
    months = defaultdict(Counter)
    for kind, at in s.execute(
        select(Event.kind, Event.at).where(Event.kind.in_(("submit", "approve")))
    ):
        months[f"{at.year:04d}-{at.month:02d}"][
            "applications" if kind == "submit" else "approved"
        ] += 1
    cal = calendar(s)
    spans, entered = defaultdict(list), {}
    rows = s.execute(
        select(Event.case_id, Event.from_state, Event.to_state, Event.at)
        .where(Event.case_id.is_not(None), Event.to_state.is_not(None))
        .order_by(Event.case_id, Event.seq)
    )
    for case_id, src, dest, at in rows:
        if src == dest:  # an extended review: the stay goes on
            continue
        if src in statistics.PHASES and (case_id, src) in entered:
            start = entered.pop((case_id, src))
            spans[src].append(cal.workdays_between_daily(start.date(), at.date()))
        if dest in statistics.PHASES:
            entered[(case_id, dest)] = at
    phases = {
        name: (len(v), round(sum(v) / len(v), 1) if v else None)
        for name in statistics.PHASES
        for v in [spans.get(name, [])]
    }
    deadline_states = [st.name for st in STATES if st.deadline]
    overdue = 0
    for case in s.scalars(select(Case).where(Case.state.in_(deadline_states))):
        dl = deadline_of(case, cal, today)
        overdue += bool(dl and dl.overdue)
    subsidy = s.scalar(
        select(func.coalesce(func.sum(Case.subsidy_fen), 0)).where(
            Case.state.in_(("subsidy_approved", "subsidy_paid"))
        )
    )
    return {
        "months": {m: (c["applications"], c["approved"]) for m, c in months.items()},
        "phases": phases,
        "overdue": overdue,
        "subsidy": subsidy,
    }


def test_sql_figures_equal_the_figures_counted_in_python(seeded, clock):
    rt, _ = seeded
    clock.advance(days=30)  # the cases waiting at the window and in review are overdue by then
    today = rt.clock().date()
    with rt.db.session() as s:
        old = python_figures(s, today)
        new = statistics.compute(s, today)
        total = s.scalar(select(func.count(Case.id)))
    assert {r["month"]: (r["applications"], r["approved"]) for r in new.months} == old["months"]
    assert {r["state"]: (r["count"], r["average"]) for r in new.phase_workdays} == old["phases"]
    assert new.overdue == old["overdue"]
    assert new.subsidy_total_fen == old["subsidy"] > 0
    assert new.total_cases == total == sum(r["count"] for r in new.by_state)
    # The seeded set spreads over years and states: the comparison covers real variety.
    assert len(old["months"]) > 24 and all(n > 10 for n, _ in old["phases"].values())
    assert old["overdue"] > 0


def test_figures_are_kept_until_something_changes(seeded, clock):
    rt, people = seeded
    first = statistics.figures(rt, people.admin.id)
    assert statistics.figures(rt, people.admin.id) is first
    Journey(rt, people).case_in("draft")
    again = statistics.figures(rt, people.admin.id)
    assert again is not first and again.total_cases == first.total_cases + 1


def test_a_job_refreshes_the_figures(seeded):
    rt, people = seeded
    fresh = statistics.refresh_statistics(rt)
    assert statistics.figures(rt, people.admin.id) is fresh


def test_only_admins_see_the_figures(seeded):
    from workflow.errors import Forbidden

    rt, people = seeded
    with pytest.raises(Forbidden):
        statistics.figures(rt, people.clerk.id)


def whole_log(rt):
    """The figures counted from the whole log, no checkpoint."""
    with rt.db.session() as s:
        return statistics.compute(s, rt.clock().date())


def checkpoints(rt):
    with rt.db.session() as s:
        return s.execute(
            select(StatisticsCheckpoint.up_to_event, StatisticsCheckpoint.before)
        ).all()


def test_a_checkpoint_and_the_events_since_give_what_the_whole_log_gives(seeded, clock):
    rt, people = seeded
    journey = Journey(rt, people)
    # The bulk load left a checkpoint; days of work follow it, and it is rolled forward.
    (made,) = checkpoints(rt)
    for step in range(4):
        journey.case_in(("submitted", "review", "approved", "subsidy_approved")[step])
        clock.advance(days=1, hours=3)
        assert statistics.refresh_statistics(rt) == whole_log(rt)
    (rolled,) = checkpoints(rt)
    assert rolled[0] > made[0] and rolled[1] > made[1]
    # What the checkpoint holds is what the log held before its day, counted afresh.
    assert rolled[1] == datetime.combine(clock().date() - timedelta(days=1), time.min)
    journey.case_in("review")
    assert statistics.figures(rt, people.admin.id) == whole_log(rt)


def test_back_dated_cases_loaded_after_a_checkpoint_are_counted(seeded):
    rt, people = seeded
    before = statistics.figures(rt, people.admin.id)
    generate(rt, 60, seed=8)  # events years back, after the checkpoint's events
    after = statistics.figures(rt, people.admin.id)
    assert after == whole_log(rt) and after.total_cases == before.total_cases + 60


def test_a_checkpoint_made_while_a_bulk_load_ran_is_dropped(seeded, clock):
    rt, people = seeded
    with rt.db.session() as s:
        last = s.scalar(select(func.max(Event.id)))
    # As if made mid-load, past events the load had not committed yet: it would miss them.
    statistics.save_checkpoint(rt, last + 5, datetime(2030, 1, 1), statistics.Tallies())
    generate(rt, 20, seed=9)
    assert statistics.figures(rt, people.admin.id) == whole_log(rt)
    assert all(up_to <= last or before < datetime(2030, 1, 1) for up_to, before in checkpoints(rt))
