"""Deadlines in Chinese working days, 调休 included (DESIGN §3.4)."""

from datetime import date

import pytest

from workflow.rules.workdays import Deadline, WorkCalendar

calendar = WorkCalendar()

# 2027 New Year as an admin would enter it from the State Council notice (illustrative).
ADMIN_2027 = {date(2027, 1, 1): False, date(2027, 1, 2): False, date(2027, 1, 9): True}


# 春节 2026: Feb 15–23 off; Saturdays Feb 14 and Feb 28 are make-up working days.


def test_make_up_saturday_before_spring_festival_is_a_workday():
    assert calendar.is_workday(date(2026, 2, 14))


@pytest.mark.parametrize("day", range(15, 24))
def test_spring_festival_days_are_off(day):
    assert not calendar.is_workday(date(2026, 2, day))


def test_acceptance_due_on_the_make_up_saturday():
    # Submitted Thursday 12 Feb: Fri 13 and Sat 14 (调休) are the two working days.
    assert calendar.add_workdays(date(2026, 2, 12), 2) == Deadline(date(2026, 2, 14), False)


def test_deadline_jumps_over_spring_festival():
    assert calendar.add_workdays(date(2026, 2, 14), 1).due == date(2026, 2, 24)


def test_review_across_spring_festival_counts_both_make_up_saturdays():
    # Feb 14, 24, 25, 26, 27, 28 (调休), Mar 2, 3, 4, 5.
    assert calendar.add_workdays(date(2026, 2, 13), 10).due == date(2026, 3, 5)


def test_start_on_a_holiday_counts_from_the_next_workday():
    assert calendar.add_workdays(date(2026, 2, 17), 1).due == date(2026, 2, 24)


# 国庆 2026 (with 中秋 on Fri 25 Sep): Oct 1–7 off; Sun 20 Sep and Sat 10 Oct are make-up days.


@pytest.mark.parametrize("day", range(1, 8))
def test_national_day_holiday_is_off(day):
    assert not calendar.is_workday(date(2026, 10, day))


def test_make_up_sunday_before_national_day_is_a_workday():
    assert calendar.add_workdays(date(2026, 9, 19), 1).due == date(2026, 9, 20)


def test_deadline_jumps_over_national_day():
    assert calendar.add_workdays(date(2026, 9, 30), 1).due == date(2026, 10, 8)


def test_make_up_saturday_after_national_day_counts():
    assert calendar.add_workdays(date(2026, 9, 30), 3).due == date(2026, 10, 10)


def test_mid_autumn_friday_is_off():
    assert calendar.add_workdays(date(2026, 9, 24), 1).due == date(2026, 9, 28)


# Boundaries


def test_zero_workdays_is_the_start_itself_even_on_a_holiday():
    assert calendar.add_workdays(date(2026, 10, 3), 0) == Deadline(date(2026, 10, 3), False)


def test_start_day_is_not_counted():
    assert calendar.add_workdays(date(2026, 3, 2), 1).due == date(2026, 3, 3)


def test_friday_plus_one_is_monday():
    assert calendar.add_workdays(date(2026, 3, 6), 1).due == date(2026, 3, 9)


def test_negative_workdays_are_refused():
    with pytest.raises(ValueError, match="负数"):
        calendar.add_workdays(date(2026, 3, 2), -1)


def test_deadline_within_covered_years_is_not_estimated():
    assert not calendar.add_workdays(date(2026, 12, 1), 20).estimated


# Years chinese_calendar does not cover


def test_deadline_crossing_into_2027_is_estimated():
    # Dec 29, 30, 31; then 2027 by weekdays only: Fri 1 Jan, Mon 4 Jan.
    assert calendar.add_workdays(date(2026, 12, 28), 5) == Deadline(date(2027, 1, 4), True)


def test_admin_entries_for_2027_are_honoured_and_not_estimated():
    admin = WorkCalendar(ADMIN_2027)
    # Dec 29, 30, 31; Jan 1 off; Mon 4, Tue 5.
    assert admin.add_workdays(date(2026, 12, 28), 5) == Deadline(date(2027, 1, 5), False)


def test_admin_make_up_saturday_counts():
    admin = WorkCalendar(ADMIN_2027)
    assert admin.add_workdays(date(2027, 1, 8), 1) == Deadline(date(2027, 1, 9), False)


def test_weekend_in_an_admin_year_without_entry_is_off():
    assert not WorkCalendar(ADMIN_2027).is_workday(date(2027, 1, 16))


def test_deadline_starting_in_2026_and_ending_on_new_years_eve_is_not_estimated():
    assert calendar.add_workdays(date(2026, 12, 30), 1) == Deadline(date(2026, 12, 31), False)


def test_deadline_from_new_years_eve_into_2027_is_estimated():
    assert calendar.add_workdays(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 1), True)


def test_deadline_before_2004_is_estimated():
    assert calendar.add_workdays(date(2003, 12, 29), 1) == Deadline(date(2003, 12, 30), True)


def test_deadline_from_the_last_uncovered_day_into_2004_is_not_estimated():
    # 1 Jan 2004 is a holiday from the package; Fri 2 Jan is the first working day.
    assert calendar.add_workdays(date(2003, 12, 31), 1) == Deadline(date(2004, 1, 2), False)


def test_admin_entries_do_not_override_published_years():
    admin = WorkCalendar({date(2026, 10, 1): True})
    assert not admin.is_workday(date(2026, 10, 1))


@pytest.mark.parametrize(
    ("year", "known"), [(2003, False), (2004, True), (2026, True), (2027, False)]
)
def test_covered_years_are_those_of_the_package(year, known):
    assert calendar.covered(year) is known


def test_year_with_an_admin_entry_is_covered():
    assert WorkCalendar(ADMIN_2027).covered(2027)
    assert not WorkCalendar(ADMIN_2027).covered(2028)


# Counting working days between two dates (overdue)


def test_workdays_between_counts_after_start_up_to_and_including_end():
    assert calendar.workdays_between(date(2026, 2, 13), date(2026, 2, 24)) == 2


def test_workdays_between_the_same_day_is_zero():
    assert calendar.workdays_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_workdays_between_is_negative_when_end_is_before_start():
    # Due Mon 9 Mar, today Wed 11 Mar: two working days overdue.
    assert calendar.workdays_between(date(2026, 3, 11), date(2026, 3, 9)) == -2


def test_workdays_between_ending_on_a_holiday_does_not_count_it():
    assert calendar.workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0


@pytest.mark.parametrize("n", [0, 1, 2, 5, 10, 30])
def test_workdays_between_undoes_add_workdays(n):
    start = date(2026, 9, 18)
    assert calendar.workdays_between(start, calendar.add_workdays(start, n).due) == n


def test_counting_into_an_uncovered_year_is_estimated():
    assert calendar.estimated(date(2026, 12, 20), date(2027, 1, 10))
    assert calendar.estimated(date(2027, 1, 10), date(2026, 12, 20))
    assert not calendar.estimated(date(2026, 1, 10), date(2026, 12, 20))


# The table of working days against the day-by-day count


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day = date.fromordinal(day.toordinal() + 1)


@pytest.mark.parametrize("overrides", [{}, ADMIN_2027], ids=["package", "admin-2027"])
def test_table_gives_the_same_deadlines_as_counting_day_by_day_2020_to_2030(overrides):
    cal = WorkCalendar(overrides)
    for start in _days(date(2020, 1, 1), date(2030, 12, 31)):
        for n in (2, 10):
            assert cal.add_workdays(start, n) == cal.add_workdays_daily(start, n), (start, n)


def test_table_counts_the_same_working_days_as_counting_day_by_day_2020_to_2030():
    cal = WorkCalendar(ADMIN_2027)
    for i, start in enumerate(list(_days(date(2020, 1, 1), date(2030, 12, 31)))[::5]):
        # Spans from a year back to a year ahead, a different one for each start.
        end = date.fromordinal(start.toordinal() + (i * 37) % 731 - 365)
        assert cal.workdays_between(start, end) == cal.workdays_between_daily(start, end)


def test_a_holiday_entered_by_the_admin_moves_the_deadline_at_once():
    before = WorkCalendar({}).add_workdays(date(2027, 12, 30), 1).due
    after = WorkCalendar({date(2027, 12, 31): False}).add_workdays(date(2027, 12, 30), 1).due
    assert (before, after) == (date(2027, 12, 31), date(2028, 1, 3))


def test_deadlines_far_outside_the_table_still_count():
    cal = WorkCalendar()
    assert cal.add_workdays(date(1999, 12, 30), 3) == cal.add_workdays_daily(date(1999, 12, 30), 3)
    assert cal.workdays_between(date(2040, 1, 1), date(2041, 1, 1)) == (
        cal.workdays_between_daily(date(2040, 1, 1), date(2041, 1, 1))
    )
