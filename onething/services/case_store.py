"""Loading a case into the domain and saving it back: state, tasks, audit events and outbox,
all in one transaction, guarded by the case's version so that no concurrent decision is lost.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from onething.domain.calendar import WorkCalendar, local_date
from onething.domain.case import Case, Event, Task
from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.domain.states import State
from onething.services import credit, enterprises, grading, trails
from storage import updates
from storage.models import Application, CaseCounter, Citizen, ReviewTask

from .case_rows import (CASE_COLUMNS, SYSTEM, TASK_FIELDS, Actor, CaseRow, Loaded, event_columns, outstanding,
                        owed_of, snapshot, task_at, task_of)
from .case_writes import prepare, settle, write, write_effects

__all__ = ["SYSTEM", "Actor", "ConcurrentUpdate", "Loaded", "outstanding", "load", "load_many", "save", "replan"]


class ConcurrentUpdate(Refused):
    """Someone else saved the case first; reload and try again."""

    status = 409

    def __init__(self, application_id: int):
        super().__init__("conflict")
        self.application_id = application_id


async def load(catalog: Catalog, application_id: int) -> Loaded | None:
    row = await Application.get_or_none(id=application_id).select_related("applicant")
    if row is None:
        return None
    tasks = [task_of(values) for values in await ReviewTask.filter(application_id=row.id).order_by("id").values()]
    return _loaded(catalog, row, tasks, bool(await credit.flags_for_case(row.applicant, row.enterprise_code)))


TASK_RECORD = ("application_id", *TASK_FIELDS)


async def load_many(catalog: Catalog, ids: list[int]) -> list[Loaded]:
    """Several cases in three queries (the deadline sweep's batch), in ``ids`` order; gone ones left
    out. Their rows are read as values (``CaseRow``, tasks as records), not model objects: thousands
    at a time."""
    rows, digests = {}, {}
    for values in await Application.filter(id__in=ids).values(*CASE_COLUMNS, digest="applicant__id_number_digest"):
        rows[values["id"]], digests[values["id"]] = CaseRow(values), values["digest"]
    tasks: dict[int, list[Task]] = {}
    for record in await updates.records_in(ReviewTask._choose_db(), ReviewTask, TASK_RECORD, "application_id",
                                           list(rows)):
        tasks.setdefault(record[0], []).append(task_at(record[1:]))
    flagged = await credit.flagged([(digests[i], row.enterprise_code) for i, row in rows.items()])
    return [_loaded(catalog, row, tasks.get(row.id, []), credit.flagged_case(flagged, digests[row.id],
                                                                          row.enterprise_code))
            for row in (rows.get(i) for i in ids) if row is not None]


def _loaded(catalog: Catalog, row: Application | CaseRow, tasks: list[Task], blacklisted: bool) -> Loaded:
    case = Case(
        thing=catalog.things[row.thing], state=State(row.state), tasks=tasks,
        owed=[owed_of(o) for o in row.owed],
        problems=list(row.problems), intake_due_on=row.intake_due_on,
        submitted_on=local_date(row.submitted_at) if row.submitted_at else None, expected_on=row.expected_on,
        suspended_since=row.suspended_since, blacklisted=blacklisted,
    )
    return Loaded(row=row, case=case, task_ids={task.item: task.id for task in tasks},
                  stored={task.item: snapshot(task) for task in tasks})


async def save(loaded: Loaded, actor: Actor, now: datetime, also=None, *, calendar: WorkCalendar,
               supervision: grading.Supervision = grading.DEFAULT, ticked: bool = False) -> None:
    """Save the case; ``also(conn)``, if given, writes what goes with the change in the same transaction."""
    change = prepare(loaded, actor, now, calendar=calendar, supervision=supervision, ticked=ticked)
    async with in_transaction() as conn:
        if not await write([change], conn):
            raise ConcurrentUpdate(loaded.row.id)
        await write_effects([change], conn, supervision)
        if also is not None:
            await also(conn)
    settle(change)


def replanned(loaded: Loaded, now: datetime, calendar: WorkCalendar,
              supervision: grading.Supervision = grading.DEFAULT) -> dict:
    """The deadline job found nothing to do: the columns dating its next visit (and the grade, for
    a case graded before grades were kept) that differ from the stored ones."""
    row = loaded.row
    graded = grading.plan(loaded.case, row.window, "system", "system", now, calendar, supervision.rules, ticked=True)
    return {k: v for k, v in graded.columns().items() if k != "window" and getattr(row, k) != v}


async def replan(loaded: Loaded, now: datetime, calendar: WorkCalendar,
                 supervision: grading.Supervision = grading.DEFAULT, conn=None) -> None:
    """Date the next visit, unless someone saved the case meanwhile (their save dated it)."""
    row, columns = loaded.row, replanned(loaded, now, calendar, supervision)
    if columns:
        await updates.update(conn or Application._choose_db(for_write=True), Application, columns,
                             {"id": row.id, "version": row.version})
        for name, value in columns.items():
            setattr(row, name, value)


async def record(application_id: int, actor: Actor, action: str, note: str, now: datetime, conn,
                 item: str | None = None) -> None:
    """Trace an action that changes no state (a document, the delivery choice, the form).

    Bumping the version takes the case's row lock, so a workflow save racing this one fails its
    version check and retries: the hash chain never forks.
    """
    await Application.filter(id=application_id).using_db(conn).update(version=F("version") + 1, updated_at=now)
    row = await Application.get(id=application_id).using_db(conn)
    state = State(row.state)
    await _append(application_id, [Event(action, state, state, note, item)], actor, now, conn)


async def _append(application_id: int, events: list[Event], actor: Actor, now: datetime, conn) -> None:
    await trails.append(trails.CASE, application_id, event_columns(events, actor, now), conn)


async def next_number(now: datetime, conn) -> str:
    """Human-readable case number, sequential per Shanghai day: YS20261121-0007."""
    day = local_date(now)
    updated = await CaseCounter.filter(day=day).using_db(conn).update(last_seq=F("last_seq") + 1)
    if not updated:
        await CaseCounter.get_or_create(day=day, defaults={"last_seq": 0}, using_db=conn)
        await CaseCounter.filter(day=day).using_db(conn).update(last_seq=F("last_seq") + 1)
    counter = await CaseCounter.get(day=day).using_db(conn)
    return f"YS{day:%Y%m%d}-{counter.last_seq:04d}"


async def create_draft(thing: str, applicant: Citizen, form: dict, now: datetime,
                       enterprise_code: str | None = None) -> Application:
    """A new case, ``form`` as stored: its personal fields already sealed (onething.services.forms.seal).
    One named on an enterprise only by someone confirmed to act for it, since the enterprise's manager
    and its other contacts then see the case."""
    if enterprise_code is not None and not await enterprises.confirmed_contact(applicant, enterprise_code):
        raise Refused("not_enterprise_contact", status=403, details={"field": "enterprise"})
    async with in_transaction() as conn:
        number = await next_number(now, conn)
        return await Application.create(number=number, thing=thing, applicant=applicant, form=form,
                                         state=State.DRAFT.value, enterprise_code=enterprise_code, using_db=conn)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
