"""Reading the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The notice is read as published, in plain text: one numbered line per festival, e.g.

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。

Lines that are not numbered arrangements (the title, the preamble, the closing paragraph,
the signature) are ignored. An arrangement that does not read exactly is refused, naming the
line: an unknown festival, a date outside the year, a weekday in brackets that is not that
date's, a day count that disagrees with the dates, a day that is both off and a workday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .calendar import CalendarError, YearSchedule
from .holidays import STATUTORY_DAYS

WEEKDAYS = "一二三四五六日"
NUMBERED = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*(?P<names>[^：:]+)[：:](?P<body>.+)$")
# 1月1日（周四） / 3日（周六） / 2024年12月31日（周二）: month and year are carried from the left
DAY = re.compile(r"(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?:[（(](?P<note>[^）)]*)[）)])?")
TOTAL = re.compile(r"共(?P<n>\d+)天")


class NoticeError(CalendarError):
    def __init__(self, line_no: int, line: str, reason: str):
        self.line_no, self.line, self.reason = line_no, line, reason
        super().__init__(f"line {line_no}: {reason}: {line.strip()}")


@dataclass(frozen=True)
class Arrangement:
    festivals: tuple[str, ...]  # one line may join two: "国庆节、中秋节"
    days_off: tuple[date, ...]
    workdays: tuple[date, ...]


@dataclass(frozen=True)
class Notice:
    year: int
    arrangements: tuple[Arrangement, ...]

    def schedule(self) -> YearSchedule:
        holidays = frozenset(d for a in self.arrangements for d in a.days_off)
        workdays = frozenset(d for a in self.arrangements for d in a.workdays)
        return YearSchedule(self.year, holidays, workdays)


def parse_notice(text: str, year: int) -> Notice:
    arrangements: list[Arrangement] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        match = NUMBERED.match(line)
        if not match:
            continue
        names = tuple(n.strip() for n in re.split(r"[、，,]", match["names"]) if n.strip())
        for name in names:
            if name not in STATUTORY_DAYS:
                raise NoticeError(line_no, line, f"unknown holiday name {name!r}")
            if name in seen:
                raise NoticeError(line_no, line, f"{name} is already arranged on line {seen[name]}")
            seen[name] = line_no
        arrangements.append(_arrangement(names, match["body"], year, line_no, line))
    if not arrangements:
        raise NoticeError(0, "", "no numbered holiday arrangements found")
    missing = [name for name in STATUTORY_DAYS if name not in seen]
    if missing:
        raise NoticeError(0, "", f"the notice does not arrange {', '.join(missing)}")
    notice = Notice(year, tuple(arrangements))
    off = {d: a for a in arrangements for d in a.days_off}
    for a in arrangements:
        for day in a.workdays:
            if day in off:
                line_no = seen[a.festivals[0]]
                raise NoticeError(line_no, text.splitlines()[line_no - 1], f"{day} is both a holiday and a workday")
    return notice


def _arrangement(names: tuple[str, ...], body: str, year: int, line_no: int, line: str) -> Arrangement:
    sentences = [s for s in re.split(r"[。；;]", body) if s.strip()]
    days_off: list[date] = []
    workdays: list[date] = []
    for sentence in sentences:
        if "放假" in sentence:
            if days_off:
                raise NoticeError(line_no, line, "two periods off in one arrangement")
            days_off = _period(sentence, year, line_no, line)
        elif sentence.rstrip().endswith("上班"):
            month = None
            for found in DAY.finditer(sentence):
                day, month = _day(found, year, month, line_no, line)
                workdays.append(day)
            if not workdays:
                raise NoticeError(line_no, line, "a workday sentence names no date")
        # Anything else explains rather than arranges ("不调休", or 2024's "鼓励各单位结合带薪年休假等
        # 制度落实，安排职工在除夕（2月9日）休息"): it gives no day off and no workday.
    if not days_off:
        raise NoticeError(line_no, line, "no period off")
    for day in workdays:
        if day.weekday() < 5:
            raise NoticeError(line_no, line, f"workday {day} is not a weekend day")
    return Arrangement(names, tuple(days_off), tuple(workdays))


def _period(sentence: str, year: int, line_no: int, line: str) -> list[date]:
    found = list(DAY.finditer(sentence.split("放假")[0]))
    if not found or len(found) > 2 or ("至" in sentence) != (len(found) == 2):
        raise NoticeError(line_no, line, f"cannot read the period {sentence.strip()!r}")
    first, month = _day(found[0], year, None, line_no, line)
    last = first
    if len(found) == 2:
        last, _ = _day(found[1], year, month, line_no, line)
    if last < first:
        raise NoticeError(line_no, line, f"the period ends ({last}) before it starts ({first})")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    total = TOTAL.search(sentence)
    said = int(total["n"]) if total else (1 if "放假1天" in sentence else None)
    if said is not None and said != len(days):
        raise NoticeError(line_no, line, f"says {said} days but {first}..{last} is {len(days)}")
    return days


def _day(found: re.Match, year: int, month: int | None, line_no: int, line: str) -> tuple[date, int]:
    if found["y"] and int(found["y"]) != year:
        raise NoticeError(line_no, line, f"{found[0]} is outside {year}")
    month = int(found["m"]) if found["m"] else month
    if month is None:
        raise NoticeError(line_no, line, f"{found[0]} names no month")
    try:
        day = date(year, month, int(found["d"]))
    except ValueError:
        raise NoticeError(line_no, line, f"{found[0]} is not a date in {year}") from None
    weekday = re.search(r"(?:周|星期)([一二三四五六日天])", found["note"] or "")
    if weekday and WEEKDAYS[day.weekday()] != weekday[1].replace("天", "日"):
        raise NoticeError(line_no, line, f"{day} is a 周{WEEKDAYS[day.weekday()]}, not 周{weekday[1]}")
    return day, month
