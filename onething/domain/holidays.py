"""The statutory holidays of a year, dated by the national rule alone: a provisional schedule.

《全国年节及纪念日放假办法》 (as amended by the State Council in 2024, in force from 2025)
fixes how many days each festival gives; the State Council's yearly notice then arranges them
with weekends and make-up workdays (调休). Until that notice is out, a year gets only what the
rule itself fixes: weekends plus these days. No make-up workday and no bridged day is guessed:
the notice, once imported, recomputes every date counted over the year, earlier or later.

The lunar festivals and 清明 are dated by an adapter (a maintained lunar-calendar library):
this module only applies the rule to the first day of each festival.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from .calendar import CalendarError, YearSchedule

# name → days off from its first day (春节 starts on 除夕, the eve of the lunar new year)
STATUTORY_DAYS: dict[str, int] = {
    "元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3,
}
FIXED_FIRST_DAYS = {"元旦": (1, 1), "劳动节": (5, 1), "国庆节": (10, 1)}
MOVABLE = ("春节", "清明节", "端午节", "中秋节")  # dated by the lunar calendar or the solar terms


def provisional_schedule(year: int, movable_first_days: Mapping[str, date]) -> YearSchedule:
    """The year's statutory holidays as the rule fixes them, ``provisional``.

    ``movable_first_days`` gives 除夕 (for 春节), 清明, 端午 and 中秋 of ``year``.
    """
    missing = [name for name in MOVABLE if name not in movable_first_days]
    if missing:
        raise CalendarError(f"{year}: cannot date {', '.join(missing)}")
    firsts = {name: date(year, *md) for name, md in FIXED_FIRST_DAYS.items()} | dict(movable_first_days)
    holidays = set()
    for name, first in firsts.items():
        for offset in range(STATUTORY_DAYS[name]):
            day = first + timedelta(days=offset)
            holidays.add(day)
    return YearSchedule(year, frozenset(holidays), frozenset(), provisional=True)


@dataclass(frozen=True)
class Changes:
    """What an imported schedule changes against the one in use (provisional or official)."""

    now_off: tuple[date, ...]  # working days in the schedule in use, days off in the new one
    now_working: tuple[date, ...]

    @property
    def none(self) -> bool:
        return not (self.now_off or self.now_working)


def changes(before: YearSchedule, after: YearSchedule) -> Changes:
    if before.year != after.year:
        raise CalendarError(f"cannot compare {before.year} with {after.year}")
    day, end = date(after.year, 1, 1), date(after.year, 12, 31)
    off, working = [], []
    while day <= end:
        was, now = before.is_working_day(day), after.is_working_day(day)
        if was != now:
            (working if now else off).append(day)
        day += timedelta(days=1)
    return Changes(tuple(off), tuple(working))


WARN_FROM = (11, 1)  # the State Council publishes next year's notice in November or December


def missing_schedules(official_years: frozenset[int], today: date) -> list[int]:
    """The years whose official schedule should be imported by now and is not: this year always,
    next year from 1 November."""
    wanted = [today.year] + ([today.year + 1] if (today.month, today.day) >= WARN_FROM else [])
    return [year for year in wanted if year not in official_years]
