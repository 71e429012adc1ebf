"""Legal clocks (DESIGN §3.4): correction suspends a deadline and it resumes with the working
days left; the review may be extended once with a letter; the daily check flags due cases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from workflow import services
from workflow.data.models import Case, DeadlineFlag
from workflow.errors import Forbidden, GuardsFailed
from workflow.process import clocks
from workflow.read import cases as queries

# The journey's clock starts on Monday 2026-11-23: submitted and accepted that day, the
# acceptance is due Wednesday 11-25 and the review (10 working days) Monday 12-07.


def due_of(rt, case_id, attr):
    with rt.db.session() as s:
        return getattr(s.get(Case, case_id), attr)


def test_review_clock_resumes_with_the_working_days_left(rt, journey, people, clock):
    case_id = journey.case_in("review")
    assert due_of(rt, case_id, "review_due") == date(2026, 12, 7)
    clock.now = datetime(2026, 11, 26, 10, 0)  # Thursday: 7 working days left
    services.fire(
        rt, people.planning.id, case_id, "return_for_correction", {"items": "补充消防意见"}
    )
    clock.now = datetime(2026, 12, 14, 9, 0)  # the applicant took two and a half weeks
    services.fire(rt, people.owner.id, case_id, "resubmit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    # Seven working days from Monday 12-14, not ten: the days used before the pause stay used.
    assert due_of(rt, case_id, "review_due") == date(2026, 12, 23)


def test_acceptance_clock_resumes_instead_of_restarting_each_round(rt, journey, people, clock):
    case_id = journey.case_in("submitted")
    clock.now = datetime(2026, 11, 24, 10, 0)  # Tuesday: one working day left of two
    services.fire(rt, people.clerk.id, case_id, "request_correction", {"items": "补充身份证明"})
    clock.now = datetime(2026, 12, 1, 9, 0)
    services.fire(rt, people.owner.id, case_id, "resubmit")
    assert due_of(rt, case_id, "acceptance_due") == date(2026, 12, 2)  # fresh would be 12-03
    # A second round resumes from its own pause, not from the first one's.
    clock.now = datetime(2026, 12, 2, 10, 0)  # the due day itself: nothing left this time
    services.fire(rt, people.clerk.id, case_id, "request_correction", {"items": "补充房产证"})
    clock.now = datetime(2026, 12, 7, 9, 0)
    services.fire(rt, people.owner.id, case_id, "resubmit")
    # The second pause kept no day; the first one's day was spent when it resumed.
    assert due_of(rt, case_id, "acceptance_due") == date(2026, 12, 7)
    with rt.db.session() as s:
        case = s.get(Case, case_id)
        answered = [c.answered_at for c in case.corrections]
        resumed = [p.due_when_resumed for p in case.pauses]
    # Each request was answered by the resubmission that followed it, and only by that one.
    assert answered == [datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 7, 9, 0)]
    assert resumed == [date(2026, 12, 2), date(2026, 12, 7)]


def test_an_overdue_clock_resumes_with_nothing_left(rt, journey, people, clock):
    case_id = journey.case_in("submitted")
    clock.now = datetime(2026, 11, 27, 10, 0)  # two days past the acceptance deadline
    services.fire(rt, people.clerk.id, case_id, "request_correction", {"items": "补充身份证明"})
    clock.now = datetime(2026, 12, 1, 9, 0)
    services.fire(rt, people.owner.id, case_id, "resubmit")
    assert due_of(rt, case_id, "acceptance_due") == date(2026, 12, 1)


def test_the_audit_log_and_the_track_stepper_show_the_pause(rt, journey, people, clock):
    from workflow.read import tracking

    case_id = journey.case_in("review")
    clock.now = datetime(2026, 11, 26, 10, 0)
    services.fire(
        rt, people.planning.id, case_id, "return_for_correction", {"items": "补充消防意见"}
    )
    events = queries.history(rt, people.clerk.id, case_id)
    paused = next(e for e in events if e["kind"] == "return_for_correction")
    assert paused["payload"]["clock_paused"] == {
        "clock": "review",
        "due": "2026-12-07",
        "workdays_left": 7,
    }
    ref = queries.describe_case(rt, people.owner.id, case_id)["reference"]
    t = tracking.track(rt, ref, "0001")
    review = next(s for s in t["stepper"] if s["state"] == "review")
    assert review["pauses"][0]["paused_on"] == "2026-11-26"
    assert review["pauses"][0]["resumed_on"] is None
    assert t["paused"]["workdays_left"] == 7

    clock.now = datetime(2026, 12, 14, 9, 0)
    services.fire(rt, people.owner.id, case_id, "resubmit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    resumed = [e for e in queries.history(rt, people.clerk.id, case_id) if e["kind"] == "accept"]
    assert resumed[-1]["payload"]["clock_resumed"]["due"] == "2026-12-23"


# — the one extension ————————————————————————————————————————————————————————————————


def test_the_lead_approver_extends_the_review_once_with_a_numbered_letter(rt, journey, people):
    case_id = journey.case_in("review")
    out = services.fire(
        rt,
        people.housing.id,
        case_id,
        "extend_review",
        {"days": "5", "reason": "需专家论证采光影响"},
    )
    assert out.state == "review"
    assert due_of(rt, case_id, "review_due") == date(2026, 12, 14)
    letter = queries.describe_case(rt, people.owner.id, case_id)["letters"][-1]
    assert letter["kind"] == "review_extension"
    assert letter["title"] == "延长审批期限告知书"
    assert letter["number"] == "枣阳住建梯延〔2026〕1号"
    ctx = services.letter_context(rt, people.owner.id, letter["id"])
    assert ctx["days"] == 5 and ctx["review_deadline"] == "2026-12-14"
    assert ctx["previous_deadline"] == "2026-12-07" and ctx["track_url"].endswith("/track")

    with pytest.raises(GuardsFailed) as err:
        services.fire(
            rt, people.housing.id, case_id, "extend_review", {"days": "2", "reason": "再延"}
        )
    assert [m.code for m in err.value.messages] == ["extended"]
    lead = {a.trigger: a for a in services.actions(rt, people.housing.id, case_id)}
    assert not lead["extend_review"].allowed


def test_extension_needs_a_reason_and_days_within_the_setting(rt, journey, people):
    case_id = journey.case_in("review")
    with pytest.raises(GuardsFailed) as err:
        services.fire(rt, people.housing.id, case_id, "extend_review", {"days": "11"})
    assert {m.code for m in err.value.messages} == {"days", "reason"}
    assert due_of(rt, case_id, "review_due") == date(2026, 12, 7)


def test_only_the_lead_approver_extends(rt, journey, people):
    case_id = journey.case_in("review")
    with pytest.raises(Forbidden):
        services.fire(
            rt, people.planning.id, case_id, "extend_review", {"days": "3", "reason": "x"}
        )


def test_a_pause_after_the_extension_keeps_the_extended_days(rt, journey, people, clock):
    case_id = journey.case_in("review")
    services.fire(rt, people.housing.id, case_id, "extend_review", {"days": "5", "reason": "论证"})
    clock.now = datetime(2026, 12, 10, 10, 0)  # Thursday; due Monday 12-14: 2 days left
    services.fire(rt, people.planning.id, case_id, "return_for_correction", {"items": "补充图纸"})
    clock.now = datetime(2026, 12, 21, 9, 0)
    services.fire(rt, people.owner.id, case_id, "resubmit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    assert due_of(rt, case_id, "review_due") == date(2026, 12, 23)


# — the daily check ——————————————————————————————————————————————————————————————————


class Recorder:
    def __init__(self):
        self.heard = []

    def deadline_flagged(self, flag):
        self.heard.append(flag)


def test_daily_check_flags_due_soon_and_overdue_with_who_must_act(rt, journey, people):
    window = journey.case_in("submitted")  # acceptance due 11-25
    review = journey.case_in("review")  # review due 12-07
    services.give_opinion(rt, people.planning.id, review, verdict="agree", comment="同意")
    flags = {f.case_id: f for f in clocks.flag_due_cases(rt, date(2026, 12, 3))}
    assert flags[window].kind == "overdue" and flags[window].who == ("clerk",)
    assert flags[window].workdays_left < 0
    assert flags[review].kind == "due_soon" and flags[review].workdays_left == 2
    assert flags[review].who == ("approver:housing", "approver:market", "lead_approver:housing")


def test_cases_far_from_their_deadline_are_not_flagged(rt, journey, people):
    journey.case_in("review")
    assert clocks.flag_due_cases(rt, date(2026, 11, 24)) == []


def test_running_the_check_twice_a_day_records_and_notifies_once(rt, journey, people):
    case_id = journey.case_in("submitted")
    bell = Recorder()
    first = clocks.flag_due_cases(rt, date(2026, 11, 24), notifier=bell)
    second = clocks.flag_due_cases(rt, date(2026, 11, 24), notifier=bell)
    assert [f.new for f in first] == [True] and [f.new for f in second] == [False]
    assert [f.case_id for f in bell.heard] == [case_id]
    with rt.db.session() as s:
        rows = s.query(DeadlineFlag).all()
        assert len(rows) == 1 and rows[0].notified_at is not None


def test_a_paused_case_is_not_flagged(rt, journey, people):
    case_id = journey.case_in("submitted")
    services.fire(rt, people.clerk.id, case_id, "request_correction", {"items": "补充身份证明"})
    assert clocks.flag_due_cases(rt, date(2026, 11, 30)) == []


@pytest.mark.postgres
def test_pause_extension_and_daily_check_on_postgresql_migrated_by_alembic(pg_url, tmp_path):
    from dataclasses import replace

    from web.schema import upgrade_database
    from workflow.adapters.local import LocalFolderStore as FileStore
    from workflow.data.db import Database
    from workflow.data.runtime import Runtime
    from workflow.data.settings import Settings

    from ..journey import Clock, Journey, make_people

    upgrade_database(pg_url)
    clock = Clock()
    rt = Runtime(
        Database(pg_url),
        replace(Settings(), publicity_days=0, demo_short_publicity=True),
        FileStore(tmp_path),
        None,
        clock,
    )
    try:
        people = make_people(rt)
        case_id = Journey(rt, people).case_in("review")
        services.fire(
            rt, people.housing.id, case_id, "extend_review", {"days": "5", "reason": "论证"}
        )
        clock.now = datetime(2026, 12, 10, 10, 0)
        services.fire(rt, people.planning.id, case_id, "return_for_correction", {"items": "补图"})
        clock.now = datetime(2026, 12, 21, 9, 0)
        services.fire(rt, people.owner.id, case_id, "resubmit")
        services.fire(rt, people.clerk.id, case_id, "accept")
        assert due_of(rt, case_id, "review_due") == date(2026, 12, 23)
        bell = Recorder()
        flags = clocks.flag_due_cases(rt, date(2026, 12, 22), notifier=bell)
        again = clocks.flag_due_cases(rt, date(2026, 12, 22), notifier=bell)
        assert [f.kind for f in flags] == ["due_soon"] and [f.new for f in again] == [False]
        assert len(bell.heard) == 1
    finally:
        rt.db.dispose()
