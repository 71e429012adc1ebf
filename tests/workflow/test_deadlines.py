"""Deadlines in Chinese working days (DESIGN §3.4), through the use cases."""

from datetime import date, datetime

from workflow import services
from workflow.data.models import Case
from workflow.read import cases as queries


def test_acceptance_deadline_skips_the_weekend(rt, journey, people, clock):
    clock.now = datetime(2026, 11, 26, 15, 0)  # a Thursday
    case_id = journey.case_in("submitted")
    with rt.db.session() as s:
        assert s.get(Case, case_id).acceptance_due == date(2026, 11, 30)  # Friday, then Monday


def test_review_deadline_into_an_uncovered_year_is_marked_estimated(rt, journey, people, clock):
    clock.now = datetime(2026, 12, 24, 10, 0)
    case_id = journey.case_in("review")
    case = queries.describe_case(rt, people.clerk.id, case_id)
    assert case["deadline"]["due"] == "2027-01-07"  # weekends only: no 2027 calendar yet
    assert case["deadline"]["estimated"] is True


def test_admin_entered_holidays_count_and_clear_the_warning(rt, journey, people, clock):
    services.set_holiday(rt, people.admin.id, date(2027, 1, 1), workday=False, name="元旦")
    clock.now = datetime(2026, 12, 24, 10, 0)
    case_id = journey.case_in("review")
    case = queries.describe_case(rt, people.clerk.id, case_id)
    assert case["deadline"]["due"] == "2027-01-08"  # New Year's Day does not count
    assert case["deadline"]["estimated"] is False


def test_overdue_cases_show_negative_days_left(rt, journey, people, clock):
    case_id = journey.case_in("submitted")
    clock.advance(days=7)
    listed = queries.list_cases(rt, people.clerk.id, tag="window")["items"]
    mine = next(c for c in listed if c["id"] == case_id)
    assert mine["deadline"]["overdue"] is True and mine["deadline"]["workdays_left"] < 0


def test_time_in_correction_does_not_count_the_review_clock_keeps_its_days(
    rt, journey, people, clock
):
    case_id = journey.case_in("review")
    services.fire(
        rt, people.planning.id, case_id, "return_for_correction", {"items": "补充消防意见"}
    )
    clock.advance(days=21)
    services.fire(rt, people.owner.id, case_id, "resubmit")
    services.fire(rt, people.clerk.id, case_id, "accept")
    case = queries.describe_case(rt, people.clerk.id, case_id)
    assert case["deadline"]["overdue"] is False and case["deadline"]["workdays_left"] == 10
