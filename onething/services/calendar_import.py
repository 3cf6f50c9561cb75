"""Importing a year's working days from the State Council's notice, from the admin's page.

What ``onething calendar import`` does at the command line, in two steps: read the notice and
show what it changes against the calendar in use; then, asked again with the same text, store
it for every process and count the open cases' due dates again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onething.domain.calendar import CalendarError, YearSchedule
from onething.domain.holiday_notice import NoticeError, parse_notice
from onething.domain.holidays import Changes, changes
from onething.domain.refusals import Refused
from onething.services import calendars

NOTICE_MAX = 20_000  # characters: the notice is a page of text


@dataclass(frozen=True)
class Preview:
    schedule: YearSchedule
    arrangements: tuple  # the notice's festivals, their days off and make-up workdays
    changes: Changes
    provisional_before: bool


async def preview(book, year: int, text: str) -> Preview:
    if not 2000 <= year <= 2100:
        raise Refused("calendar.bad_year", details={"field": "year"})
    if not text.strip() or len(text) > NOTICE_MAX:
        raise Refused("calendar.notice_unreadable", details={"field": "notice", "why": "通知文本为空或过长"})
    try:
        notice = parse_notice(text, year)
        schedule = notice.schedule()
        before = (await book.fresh()).schedule(year)
        return Preview(schedule, tuple(notice.arrangements), changes(before, schedule), before.provisional)
    except CalendarError as exc:
        why = f"第 {exc.line_no} 行（{exc.line.strip()[:80]}）" if isinstance(exc, NoticeError) else str(exc)
        raise Refused("calendar.notice_unreadable", details={"field": "notice", "why": why}) from None


async def apply(book, flow, year: int, text: str, by: str, now: datetime) -> tuple[Preview, int, list[str]]:
    """(what was stored, how many open cases moved, those that could not be counted again)."""
    read = await preview(book, year, text)
    await calendars.store(read.schedule, text, by, now)
    book.expire()
    moved, failed = await flow.reschedule_all(f"国务院{year}年放假安排已导入")
    return read, moved, failed
