"""The working-day calendar every process shares: shipped seeds, overlaid by imported years.

The YAML files in ``onething/data/calendar/`` are the seed. ``onething calendar import --apply``
stores a year's official schedule in the database; each process notices within ``TTL``
seconds (one tiny query at most that often) and uses it from then on, without a redeploy.
Years with neither are provisional (``lunar_dates.provisional_year``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import time
from contextlib import suppress
from typing import Callable

from tortoise.transactions import in_transaction

from onething.domain.calendar import WorkCalendar, YearSchedule
from onething.services.lunar_dates import provisional_year
from storage.models import CalendarYear

TTL = 2.0  # seconds a process trusts what it last read
log = logging.getLogger("onething.calendar")


class CalendarBook:
    def __init__(self, seeds: tuple[YearSchedule, ...], *, ttl: float = TTL,
                 monotonic: Callable[[], float] = time.monotonic, stored: bool = True):
        self.seeds = {s.year: s for s in seeds}
        self.current = build(self.seeds.values())
        self._ttl, self._monotonic, self._stored = ttl, monotonic, stored
        self._stamp: tuple | None = None
        self.revision = "seed"  # names the calendar in use, the same in every process that reads the same years
        self._checked = float("-inf")

    @classmethod
    def fixed(cls, calendar: WorkCalendar) -> "CalendarBook":
        """A book that never reads the database (unit tests, a calendar given outright)."""
        book = cls(calendar.schedules, stored=False)
        book.current = calendar
        return book

    async def fresh(self) -> WorkCalendar:
        """The calendar with every imported year, as of at most ``TTL`` seconds ago."""
        if not self._stored or self._monotonic() - self._checked < self._ttl:
            return self.current
        stamp = tuple(sorted((year, at.astimezone(dt.timezone.utc).isoformat())
                             for year, at in await CalendarYear.all().values_list("year", "imported_at")))
        if stamp != self._stamp:
            rows = await CalendarYear.all()
            self.current = build({**self.seeds, **{row.year: stored_schedule(row) for row in rows}}.values())
            self._stamp = stamp
            self.revision = hashlib.sha256(repr(stamp).encode()).hexdigest()[:12] if stamp else "seed"
        self._checked = self._monotonic()
        return self.current

    async def keep_fresh(self, stop: asyncio.Event) -> None:
        """Read imported years every ``TTL`` seconds, so that what a request shows is never older.

        Stopped by ``stop``, never cancelled: a query cut off midway would leave the database
        driver's thread answering a loop that is gone.
        """
        while not stop.is_set():
            try:
                await self.fresh()
            except Exception:  # the database is away: keep the calendar in hand and try again
                log.warning("could not read the imported holiday schedules", exc_info=True)
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), self._ttl)

    def expire(self) -> None:
        """Read the database again at the next ``fresh`` (this process just stored a year)."""
        self._checked = float("-inf")


def build(schedules) -> WorkCalendar:
    return WorkCalendar(tuple(sorted(schedules, key=lambda s: s.year)), provisional_years=provisional_year)


def stored_schedule(row: CalendarYear) -> YearSchedule:
    return YearSchedule(row.year, frozenset(map(dt.date.fromisoformat, row.holidays)),
                        frozenset(map(dt.date.fromisoformat, row.workdays)))


async def store(schedule: YearSchedule, source: str, imported_by: str, now: dt.datetime) -> None:
    values = {"holidays": sorted(d.isoformat() for d in schedule.holidays),
              "workdays": sorted(d.isoformat() for d in schedule.workdays),
              "source": source, "imported_by": imported_by, "imported_at": now}
    async with in_transaction() as conn:
        updated = await CalendarYear.filter(year=schedule.year).using_db(conn).update(**values)
        if not updated:
            await CalendarYear.create(year=schedule.year, **values, using_db=conn)
