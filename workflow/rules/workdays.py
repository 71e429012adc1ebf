"""Deadlines in Chinese working days (DESIGN §3.4).

Acceptance and review deadlines count working days as the State Council's holiday notice sets
them, make-up working days (调休) included; `chinese_calendar` carries those notices. For years it
does not cover yet, the admin enters the year's notice; without that, weekends are the only days
off, and the deadline is marked as estimated so the page can warn about it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar

_NO_OVERRIDES: Mapping[date, bool] = MappingProxyType({})
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    due: date
    # True when a year on the way was counted by weekends only: show a warning with the date.
    estimated: bool


@lru_cache(maxsize=64)
def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Working days: `chinese_calendar` where it has data, else the admin's entries, else Mon–Fri.

    `overrides` maps a day to True (working day, e.g. a make-up Saturday) or False (holiday).
    Entries for years the package covers are ignored: the published notice is authoritative.
    """

    def __init__(self, overrides: Mapping[date, bool] = _NO_OVERRIDES) -> None:
        self._overrides = dict(overrides)
        self._entered_years = frozenset(d.year for d in self._overrides)

    def covered(self, year: int) -> bool:
        """True when the year's holidays are known, from the package or from the admin."""
        return _package_covers(year) or year in self._entered_years

    def is_workday(self, d: date) -> bool:
        if _package_covers(d.year):
            return chinese_calendar.is_workday(d)
        if d in self._overrides:
            return self._overrides[d]
        return d.weekday() < 5

    def add_workdays(self, start: date, n: int) -> Deadline:
        """The n-th working day after `start` (start itself not counted); n = 0 gives start."""
        if n < 0:
            raise ValueError(f"工作日天数不能为负数：{n}")
        day = start
        remaining = n
        while remaining:
            day += _DAY
            if self.is_workday(day):
                remaining -= 1
        return Deadline(due=day, estimated=self.estimated(start, day))

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end`; negative when end < start.

        `workdays_between(due, today)` > 0 means overdue by that many working days, and
        `add_workdays(start, n).due` is a day with `workdays_between(start, due) == n`.
        """
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _DAY
            if self.is_workday(day):
                count += 1
        return count

    def estimated(self, start: date, end: date) -> bool:
        """True when counting the days after `start` up to `end` relied on weekends only."""
        first, last = sorted((start, end))
        if first == last:
            return False
        years = range((first + _DAY).year, last.year + 1)
        return not all(self.covered(year) for year in years)
