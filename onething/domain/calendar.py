"""Working days: China's statutory holidays and make-up workdays (调休), in Asia/Shanghai.

Every legal limit (行政许可法 §32, §42, §82) counts working days. "N working days after a
day" does not count that day; the deadline is the end of the Nth working day after it.

The State Council publishes each year's schedule late in the year before, sometimes only
weeks before it starts. A year without its official schedule is *provisional*: weekends and
the statutory holidays the national rule fixes, with no make-up workdays guessed (see
``holidays.py``). A service centre keeps working over it; every date computed over such a
year says it is provisional, and importing the official schedule recomputes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Callable
from zoneinfo import ZoneInfo

from .refusals import Refused

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CalendarError(ValueError):
    pass


class UnknownYear(CalendarError, Refused):
    """A date in a year the calendar cannot count: to a request, the service is unavailable until
    an administrator adds the year (``calendar_missing``, 503)."""

    status = 503

    def __init__(self, year: int, known: frozenset[int]):
        Refused.__init__(self, "calendar_missing", details={"year": year})
        self.year = year
        span = ", ".join(str(y) for y in sorted(known)) or "none"
        self.reason = f"no holiday schedule for {year} (known years: {span}); add it to the calendar data"
        self.args = (self.reason,)

    def __str__(self) -> str:  # what the operator reads in a log or at the command line
        return self.reason


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    provisional: bool = False  # dated by the national rule, not yet by the State Council's notice

    def __post_init__(self) -> None:
        for day in self.holidays | self.workdays:
            if day.year != self.year:
                raise CalendarError(f"{day} is listed in the {self.year} schedule")
        both = self.holidays & self.workdays
        if both:
            raise CalendarError(f"{min(both)} is both a holiday and a make-up workday")
        for day in self.workdays:
            if day.weekday() < 5:
                raise CalendarError(f"make-up workday {day} is not a weekend day")

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


ADDED_KEPT = 50_000  # answers of add_working_days kept per calendar (about 9 MB): three years of starts, 45 counts each

# A year's provisional schedule, made on demand (None: the year cannot be dated at all).
ProvisionalYears = Callable[[int], "YearSchedule | None"]


@dataclass(frozen=True)
class WorkCalendar:
    schedules: tuple[YearSchedule, ...]
    provisional_years: ProvisionalYears | None = field(default=None, compare=False)
    official_years: frozenset[int] = field(init=False)
    _by_year: dict[int, YearSchedule] = field(init=False, repr=False, compare=False)
    # (start, days) -> the day: a sweep asks the same few thousand questions for every case
    _added: dict[tuple[date, int], date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_year = {s.year: s for s in self.schedules}
        object.__setattr__(self, "_by_year", by_year)
        object.__setattr__(self, "_added", {})
        object.__setattr__(self, "official_years", frozenset(y for y, s in by_year.items() if not s.provisional))

    def schedule(self, year: int) -> YearSchedule:
        found = self._by_year.get(year)
        if found is None and self.provisional_years is not None:
            found = self.provisional_years(year)
            if found is not None:
                self._by_year[year] = found  # a cache: the rule gives the same answer every time
        if found is None:
            raise UnknownYear(year, self.official_years)
        return found

    def is_working_day(self, day: date) -> bool:
        return self.schedule(day.year).is_working_day(day)

    def is_provisional(self, day: date) -> bool:
        """Whether ``day`` lies in a year whose official schedule is not yet known."""
        return day.year not in self.official_years

    def add_working_days(self, start: date, days: int) -> date:
        """The Nth working day after ``start`` (``start`` itself is not counted)."""
        found = self._added.get((start, days))
        if found is not None:
            return found
        if days < 0:
            raise CalendarError("a number of working days cannot be negative")
        day, left = start, days
        if days == 0:
            self.is_working_day(day)  # still refuse years that cannot be dated
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        if len(self._added) < ADDED_KEPT:  # the answers never change: the schedules are this calendar's
            self._added[(start, days)] = day
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if ``end <= start``)."""
        count, day = 0, start
        self.is_working_day(start)
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def due(self, start: datetime, days: int) -> datetime:
        """End (23:59:59.999999 Shanghai time) of the Nth working day after the day of ``start``."""
        local_day = start.astimezone(SHANGHAI).date()
        return end_of_day(self.add_working_days(local_day, days))

    def next_working_day(self, day: date) -> date:
        return self.add_working_days(day, 1)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=SHANGHAI)


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()
