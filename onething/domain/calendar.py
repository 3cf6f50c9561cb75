"""Working days: China's statutory holidays and make-up workdays (调休), in Asia/Shanghai.

Every legal limit (行政许可法 §32, §42, §82) counts working days. "N working days after a
day" does not count that day; the deadline is the end of the Nth working day after it. A
date in a year whose schedule is not loaded is an error, never a guess: the State Council
publishes each year's schedule late in the year before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CalendarError(ValueError):
    pass


class UnknownYear(CalendarError):
    def __init__(self, year: int, known: frozenset[int]):
        self.year = year
        span = ", ".join(str(y) for y in sorted(known)) or "none"
        super().__init__(f"no holiday schedule for {year} (known years: {span}); add it to the calendar data")


@dataclass(frozen=True)
class YearSchedule:
    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

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


@dataclass(frozen=True)
class WorkCalendar:
    schedules: tuple[YearSchedule, ...]
    _holidays: frozenset[date] = field(init=False, repr=False)
    _workdays: frozenset[date] = field(init=False, repr=False)
    years: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "years", frozenset(s.year for s in self.schedules))
        object.__setattr__(self, "_holidays", frozenset().union(*(s.holidays for s in self.schedules)))
        object.__setattr__(self, "_workdays", frozenset().union(*(s.workdays for s in self.schedules)))

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.years:
            raise UnknownYear(day.year, self.years)
        if day in self._workdays:
            return True
        return day.weekday() < 5 and day not in self._holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The Nth working day after ``start`` (``start`` itself is not counted)."""
        if days < 0:
            raise CalendarError("a number of working days cannot be negative")
        day = start
        if days == 0:
            self.is_working_day(day)  # still refuse unknown years
            return day
        while days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                days -= 1
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
