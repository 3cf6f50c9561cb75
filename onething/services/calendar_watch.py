"""Telling people, in time, that next year's official holiday schedule has not been imported.

From 1 November ``/readyz`` names the missing year and the supervisors' shared inbox gets a
notice (again each week while it stays missing), so the notice is imported before the first
deadline falls in the new year, and nobody learns it from a citizen.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import jinja2
from tortoise.transactions import in_transaction

from onething.domain.calendar import local_date
from onething.domain.holidays import missing_schedules
from onething.services import staff_inbox
from onething.services.calendars import CalendarBook
from storage.models import StaffNotice

REMIND_EVERY = timedelta(days=7)
KIND = "calendar_missing"


async def missing(book: CalendarBook, now: datetime) -> list[int]:
    calendar = await book.fresh()
    return missing_schedules(calendar.official_years, local_date(now))


async def warn_supervisors(book: CalendarBook, templates: jinja2.Environment, now: datetime) -> int:
    """Post a notice for each missing year not noticed in the last week; return how many were posted."""
    posted = 0
    for year in await missing(book, now):
        recent = await StaffNotice.filter(kind=KIND, role="supervisor", created_at__gte=now - REMIND_EVERY)
        if any(n.payload.get("year") == year for n in recent):
            continue
        async with in_transaction() as conn:
            await staff_inbox.post(templates, KIND, {"year": year, "today": local_date(now)}, now, conn,
                                   role="supervisor", payload={"year": year})
        posted += 1
    return posted
