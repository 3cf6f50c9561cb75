"""The movable festivals of a Gregorian year, from the lunar calendar and the solar terms.

lunar-python (6tail) computes both; a hand-written table would end where its author stopped.
"""

from __future__ import annotations

from datetime import date, timedelta

from lunar_python import Lunar

from onething.domain.calendar import YearSchedule
from onething.domain.holidays import provisional_schedule

# The library's tables cover these years; outside them a year cannot be dated at all.
FIRST_YEAR, LAST_YEAR = 1901, 2099


def movable_first_days(year: int) -> dict[str, date]:
    new_year = _solar(Lunar.fromYmd(year, 1, 1).getSolar())
    return {
        "春节": new_year - timedelta(days=1),  # 除夕: the last day of the old lunar year, 29th or 30th
        "清明节": _solar(Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]),
        "端午节": _solar(Lunar.fromYmd(year, 5, 5).getSolar()),
        "中秋节": _solar(Lunar.fromYmd(year, 8, 15).getSolar()),
    }


def provisional_year(year: int) -> YearSchedule | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return provisional_schedule(year, movable_first_days(year))


def _solar(solar) -> date:
    return date(solar.getYear(), solar.getMonth(), solar.getDay())
