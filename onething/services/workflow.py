"""The case workflow's use cases: each loads a case, applies one rule, and saves it atomically.

A save that loses a race to another decision on the same case is retried on fresh state, so
two reviewers approving different items at once both count.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import date, datetime
from typing import Awaitable, Callable

import jinja2

from onething.domain import extensions
from onething.domain.calendar import WorkCalendar, local_date
from onething.domain.case import Case, CaseRuleError, OwedOutstanding
from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.domain.clock import tick
from onething.domain.grades import DEFAULT_RULES, GradeRules
from onething.domain.reschedule import reschedule
from onething.domain.states import State

from . import case_store, grading
from . import sweep as sweeping
from .calendars import CalendarBook
from .case_store import SYSTEM, Actor, ConcurrentUpdate, Loaded, utcnow
from storage.models import Application, AttachedMaterial, Evaluation, MaterialFile, ReviewTask

log = logging.getLogger("onething.workflow")
RETRIES = 10
OPEN = [State.SUBMITTED.value, State.IN_REVIEW.value]


class CaseNotFound(Refused):
    status = 404

    def __init__(self, application_id: int):
        super().__init__("not_found")
        self.application_id = application_id


class Workflow:
    def __init__(self, catalog: Catalog, calendar: WorkCalendar | CalendarBook,
                 clock: Callable[[], datetime] = utcnow, on_change: Callable[[int], Awaitable[None]] | None = None,
                 grades: GradeRules = DEFAULT_RULES, templates: jinja2.Environment | None = None):
        self.catalog = catalog
        self.calendars = calendar if isinstance(calendar, CalendarBook) else CalendarBook.fixed(calendar)
        self.clock = clock
        self.on_change = on_change  # told after each saved change (drops cached views)
        self.supervision = grading.Supervision(grades, templates, {c: d.name for c, d in catalog.departments.items()})

    @property
    def calendar(self) -> WorkCalendar:
        """The calendar as last read; ``act`` reads it afresh (an imported year counts at once)."""
        return self.calendars.current

    async def act(self, application_id: int, actor: Actor, change: Callable[[Case, datetime], object],
                  also: Callable[[Loaded], Callable] | None = None, *, ticked: bool = False) -> Loaded:
        """``ticked``: the change is the deadline job's, which dates the case's next check even when
        nothing else changed."""
        await self.calendars.fresh()
        for attempt in range(RETRIES):
            loaded = await case_store.load(self.catalog, application_id)
            if loaded is None:
                raise CaseNotFound(application_id)
            now = self.clock()
            if change(loaded.case, now) is False:
                if ticked:
                    await case_store.replan(loaded, now, self.calendar, self.supervision)
                return loaded  # nothing happened: no write
            try:
                await case_store.save(loaded, actor, now, also(loaded) if also else None, calendar=self.calendar,
                                      supervision=self.supervision, ticked=ticked)
                if self.on_change is not None:
                    await self.on_change(application_id)
                return loaded
            except ConcurrentUpdate:
                # Someone decided on this case meanwhile: back off a little and apply to fresh state.
                await asyncio.sleep(random.uniform(0, 0.01 * (attempt + 1)))
        raise ConcurrentUpdate(application_id)

    # -- applicant ---------------------------------------------------------------------------
    async def submit(self, application_id: int, actor: Actor) -> Loaded:
        return await self.act(application_id, actor, lambda case, now: case.submit(now, self.calendar))

    async def resubmit(self, application_id: int, actor: Actor) -> Loaded:
        return await self.act(application_id, actor, lambda case, now: case.resubmit(now, self.calendar))

    async def withdraw(self, application_id: int, actor: Actor, reason: str = "") -> Loaded:
        return await self.act(application_id, actor, lambda case, now: case.withdraw(reason))

    async def receive_owed(self, application_id: int, material: str, actor: Actor) -> Loaded:
        return await self.act(application_id, actor,
                              lambda case, now: case.receive_owed(material, local_date(now), self.calendar))

    # -- window ------------------------------------------------------------------------------
    async def accept(self, application_id: int, actor: Actor, owed: dict[str, date] | None = None,
                     note: str = "") -> Loaded:
        return await self.act(application_id, actor,
                              lambda case, now: case.accept(now, self.calendar, owed=owed, note=note),
                              also=lambda loaded: _verify_materials(loaded.row.id))

    async def return_for_correction(self, application_id: int, actor: Actor, problems: list[str]) -> Loaded:
        return await self.act(application_id, actor, lambda case, now: case.return_for_correction(problems))

    async def refuse(self, application_id: int, actor: Actor, reason: str) -> Loaded:
        return await self.act(application_id, actor, lambda case, now: case.refuse(reason))

    async def results_ready(self, application_id: int, actor: Actor) -> Loaded:
        return await self._naming_owed(self.act(application_id, actor, lambda case, now: case.results_ready()))

    async def hand_over(self, application_id: int, actor: Actor, how: str) -> Loaded:
        return await self._naming_owed(self.act(application_id, actor, lambda case, now: case.hand_over(how)))

    async def _naming_owed(self, coroutine):
        """The rule knows materials by code; the people refused read their names."""
        try:
            return await coroutine
        except OwedOutstanding as exc:
            raise OwedOutstanding(exc.materials, self.material_names(exc.materials)) from None

    def material_names(self, codes: list[str]) -> list[str]:
        return [self.catalog.materials[c].name if c in self.catalog.materials else c for c in codes]

    async def waive_owed(self, application_id: int, actor: Actor, material: str, reason: str) -> Loaded:
        """Supervisors (and admins) only: the entry point checks the role."""
        return await self.act(application_id, actor, lambda case, now: case.waive_owed(
            material, actor.name, reason, local_date(now), self.calendar))

    async def deliver(self, application_id: int, actor: Actor, note: str,
                      also: Callable[[Loaded], Callable] | None = None) -> Loaded:
        """The recipient confirmed a postal delivery: the case closes (``also`` saves the scan with it)."""
        return await self.act(application_id, actor, lambda case, now: case.hand_over("deliver", note), also=also)

    async def evaluate(self, application_id: int, actor: Actor, score: int, comment: str) -> Loaded:
        follow_up: dict[str, date | None] = {}

        def rate(case: Case, now: datetime) -> None:
            follow_up["due"] = case.evaluate(score, local_date(now), self.calendar)

        def record(loaded: Loaded):
            async def write(conn) -> None:
                if await Evaluation.filter(application_id=loaded.row.id).using_db(conn).exists():
                    raise CaseRuleError("already_rated")
                await Evaluation.create(application_id=loaded.row.id, score=score, comment=comment,
                                        follow_up_due_on=follow_up["due"], using_db=conn)
            return write

        return await self.act(application_id, actor, rate, also=record)

    # -- departments -------------------------------------------------------------------------
    async def approve(self, task: ReviewTask, actor: Actor, result_number: str = "", note: str = "") -> Loaded:
        return await self.act(task.application_id, actor,
                              lambda case, now: case.approve(task.item, now, self.calendar, result_number, note))

    async def reject(self, task: ReviewTask, actor: Actor, reason: str) -> Loaded:
        return await self.act(task.application_id, actor, lambda case, now: case.reject(task.item, reason))

    async def pause(self, task: ReviewTask, actor: Actor, kind: str, note: str = "") -> Loaded:
        return await self.act(task.application_id, actor,
                              lambda case, now: case.pause(task.item, kind, local_date(now), note))

    async def return_item(self, task: ReviewTask, actor: Actor, problems: list[str]) -> Loaded:
        return await self.act(task.application_id, actor,
                              lambda case, now: case.return_item(task.item, problems, local_date(now)))

    async def resubmit_item(self, application_id: int, item: str, actor: Actor) -> Loaded:
        return await self.act(application_id, actor,
                              lambda case, now: case.resubmit_item(item, local_date(now), self.calendar))

    async def resume(self, task: ReviewTask, actor: Actor) -> Loaded:
        return await self.act(task.application_id, actor,
                              lambda case, now: case.resume(task.item, local_date(now), self.calendar))

    # -- extending a legal limit (§42): a reviewer asks, a supervisor decides ----------------
    async def request_extension(self, task: ReviewTask, actor: Actor, reason: str) -> Loaded:
        return await self.act(task.application_id, actor,
                              lambda case, now: extensions.request(case, task.item, reason, local_date(now)))

    async def approve_extension(self, task: ReviewTask, actor: Actor, note: str = "") -> Loaded:
        return await self.act(task.application_id, actor, lambda case, now: extensions.approve(
            case, task.item, local_date(now), self.calendar, note))

    async def refuse_extension(self, task: ReviewTask, actor: Actor, note: str) -> Loaded:
        return await self.act(task.application_id, actor, lambda case, now: extensions.refuse(case, task.item, note))

    # -- the clock ---------------------------------------------------------------------------
    async def sweep(self, budget: float = sweeping.SWEEP_SECONDS) -> int:
        """Apply the deadline rules to the open cases whose next check has come (onething.services.sweep);
        return how many changed."""
        return await sweeping.sweep(self, OPEN, budget)

    async def reschedule_all(self, why: str) -> tuple[int, list[str]]:
        """Count the open deadlines of every case again over the calendar now in use.

        Returns how many cases changed, and the numbers of those that could not be counted again
        (named, so the operator runs the import again: it is idempotent)."""
        await self.calendars.fresh()
        ids = await Application.filter(state__in=OPEN).values_list("id", flat=True)
        moved, failed = 0, []
        for application_id in ids:
            try:
                loaded = await self.act(application_id, SYSTEM,
                                        lambda case, now: reschedule(case, self.calendar, why, local_date(now)) or False)
                moved += loaded.saved
            except Exception:  # one bad case must not leave the others on the old calendar
                log.exception("rescheduling failed for a case", extra={"application_id": application_id})
                row = await Application.get_or_none(id=application_id)
                failed.append(row.number if row else str(application_id))
        return moved, failed


def _verify_materials(application_id: int):
    """The window has checked what was attached: those documents may be reused from now on."""

    async def write(conn) -> None:
        ids = await AttachedMaterial.filter(application_id=application_id).using_db(conn).values_list(
            "file_id", flat=True)
        if ids:
            await MaterialFile.filter(id__in=list(ids)).using_db(conn).update(verified=True)

    return write
