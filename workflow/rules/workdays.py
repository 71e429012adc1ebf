"""Deadlines in Chinese working days (DESIGN §3.4).

Acceptance and review deadlines count working days as the State Council's holiday notice sets
them, make-up working days (调休) included; `chinese_calendar` carries those notices. For years it
does not cover yet, the admin enters the year's notice; without that, weekends are the only days
off, and the deadline is marked as estimated so the page can warn about it.
"""

import threading
from bisect import bisect_right
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


class _Table:
    """The working days of a range of whole years as a sorted list of day ordinals.

    Counting days one at a time through `chinese_calendar` cost about 2 million calls for one
    statistics page at 100,000 cases; with this list a deadline or a count is two bisections.
    The range grows by whole years when a question reaches past it.
    """

    # A decade around now covers every deadline and statistic the pages ask for.
    SPAN = 5

    def __init__(self, is_workday) -> None:  # noqa: ANN001
        self._is_workday = is_workday
        self._lock = threading.Lock()
        self.first = self.last = 0  # years covered, inclusive; empty while first > last
        self.days: list[int] = []

    def _year(self, year: int) -> list[int]:
        day = date(year, 1, 1)
        out = []
        while day.year == year:
            if self._is_workday(day):
                out.append(day.toordinal())
            day += _DAY
        return out

    def cover(self, first: int, last: int) -> list[int]:
        """The list, grown to cover the years first..last at least (whole lists are swapped in,
        so a reader never sees a half-built one)."""
        if self.days and self.first <= first and last <= self.last:
            return self.days
        with self._lock:
            if not self.days:
                lo, hi = first - self.SPAN, last + self.SPAN
                self.days = [d for y in range(lo, hi + 1) for d in self._year(y)]
                self.first, self.last = lo, hi
                return self.days
            before = [d for y in range(first, self.first) for d in self._year(y)]
            after = [d for y in range(self.last + 1, last + 1) for d in self._year(y)]
            self.days = before + self.days + after
            self.first, self.last = min(first, self.first), max(last, self.last)
            return self.days


@lru_cache(maxsize=16)
def _shared_table(key: tuple[tuple[date, bool], ...]) -> _Table:
    """One table per set of admin entries: a changed holiday gives a new key, hence a new table
    (the old one simply stops being asked for)."""
    return WorkCalendar(dict(key))._compute_table()


class WorkCalendar:
    """Working days: `chinese_calendar` where it has data, else the admin's entries, else Mon–Fri.

    `overrides` maps a day to True (working day, e.g. a make-up Saturday) or False (holiday).
    Entries for years the package covers are ignored: the published notice is authoritative.
    """

    def __init__(self, overrides: Mapping[date, bool] = _NO_OVERRIDES) -> None:
        self._overrides = dict(overrides)
        self._entered_years = frozenset(d.year for d in self._overrides)
        self._table: _Table | None = None

    def _compute_table(self) -> _Table:
        return _Table(self.is_workday)

    def day_numbers(self, first: date, last: date) -> list[int]:
        if self._table is None:
            self._table = _shared_table(tuple(sorted(self._overrides.items())))
        return self._table.cover(first.year, last.year)

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
        if n == 0:
            return Deadline(due=start, estimated=False)
        # About 250 working days a year: a year per 200 asked for is always enough.
        days = self.day_numbers(start, start + timedelta(days=2 * n + 40))
        after = bisect_right(days, start.toordinal())
        day = date.fromordinal(days[after + n - 1])
        return Deadline(due=day, estimated=self.estimated(start, day))

    def add_workdays_daily(self, start: date, n: int) -> Deadline:
        """`add_workdays` counted one day at a time: the reference the table is tested against."""
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
        days = self.day_numbers(start, end)
        return bisect_right(days, end.toordinal()) - bisect_right(days, start.toordinal())

    def workdays_between_daily(self, start: date, end: date) -> int:
        """`workdays_between` counted one day at a time: the reference for the tests."""
        if end < start:
            return -self.workdays_between_daily(end, start)
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


def add_years(d: date, years: int) -> date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year
    (a yearly inspection is due on that day, not in March)."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)
