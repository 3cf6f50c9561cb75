"""Imported holiday schedules on each database: every process picks them up, supervisors are warned in time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from onething.domain.calendar import YearSchedule
from onething.services import calendar_watch, calendars
from onething.services.calendars import CalendarBook
from onething.services.reference import load_seed_schedules
from onething.templating import make_environment
from storage import db
from tests.support.apps import migrated
from storage.models import CalendarYear, StaffNotice
from tests.support.builders import d

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
OFFICIAL_2027 = YearSchedule(2027, frozenset({d("2027-01-01"), d("2027-02-09")}), frozenset({d("2027-02-20")}))


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def database(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        await CalendarYear.all().delete()  # a shared PostgreSQL keeps other tests' imports
        await StaffNotice.filter(kind=calendar_watch.KIND).delete()
        yield
        await CalendarYear.all().delete()  # nor leave one for the tests after


async def test_an_imported_year_reaches_another_process_within_its_ttl(database):
    ticks = Ticks()
    other = CalendarBook(load_seed_schedules(), monotonic=ticks)  # another app process, reading as it goes
    assert (await other.fresh()).schedule(2027).provisional and other.revision == "seed"

    await calendars.store(OFFICIAL_2027, "notice text", "operator", NOW)
    assert (await other.fresh()).schedule(2027).provisional  # trusted for TTL seconds: no query per call
    ticks.now += calendars.TTL
    calendar = await other.fresh()
    assert not calendar.schedule(2027).provisional and calendar.official_years == {2025, 2026, 2027}
    assert calendar.is_working_day(d("2027-02-20")) and not calendar.is_working_day(d("2027-02-09"))
    first = other.revision
    assert first != "seed" and CalendarBook(load_seed_schedules()).revision == "seed"

    third = CalendarBook(load_seed_schedules())
    await third.fresh()
    assert third.revision == first  # the same years give the same name in every process

    await calendars.store(OFFICIAL_2027, "notice text, corrected", "operator", NOW + timedelta(hours=1))
    ticks.now += calendars.TTL
    await other.fresh()
    assert other.revision != first  # views dated before are misses now
    row = await CalendarYear.get(year=2027)
    assert row.source == "notice text, corrected" and row.workdays == ["2027-02-20"]


async def test_a_stored_year_overrides_the_shipped_seed(database):
    changed = YearSchedule(2026, frozenset(), frozenset())
    await calendars.store(changed, "", "operator", NOW)
    calendar = await CalendarBook(load_seed_schedules()).fresh()
    assert calendar.is_working_day(d("2026-10-05"))  # the seed has it off; the stored year wins


async def test_supervisors_are_told_from_november_and_again_each_week(database):
    book, templates = CalendarBook(load_seed_schedules()), make_environment()
    october = datetime(2026, 10, 31, 2, 0, tzinfo=timezone.utc)
    assert await calendar_watch.warn_supervisors(book, templates, october) == 0
    assert await calendar_watch.warn_supervisors(book, templates, NOW) == 1
    assert await calendar_watch.warn_supervisors(book, templates, NOW + timedelta(days=1)) == 0
    notice = await StaffNotice.get(kind=calendar_watch.KIND)
    assert notice.role == "supervisor" and notice.payload == {"year": 2027}
    assert "onething calendar import 2027" in notice.text
    assert await calendar_watch.warn_supervisors(book, templates, NOW + timedelta(days=8)) == 1

    await calendars.store(OFFICIAL_2027, "", "operator", NOW)
    book.expire()
    assert await calendar_watch.warn_supervisors(book, templates, NOW + timedelta(days=20)) == 0
