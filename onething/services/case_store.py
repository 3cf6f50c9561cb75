"""Loading a case into the domain and saving it back: state, tasks, audit events and outbox,
all in one transaction, guarded by the case's version so that no concurrent decision is lost.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from onething.domain.audit import Head
from onething.domain.calendar import CalendarError, WorkCalendar, local_date
from onething.domain.case import Case, Event, Owed, Task
from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.domain.schedule import expected_completion
from onething.domain.states import State, TaskState
from onething.services import credit, enterprises, grading, trails
from storage.models import Application, AuditEvent, CaseCounter, Citizen, Notification, ReviewTask


class ConcurrentUpdate(Refused):
    """Someone else saved the case first; reload and try again."""

    status = 409

    def __init__(self, application_id: int):
        super().__init__("conflict")
        self.application_id = application_id


@dataclass(frozen=True)
class Actor:
    name: str  # "staff:zhang", "citizen:12", "system"
    role: str  # clerk | reviewer | supervisor | manager | admin | citizen | courier | system


SYSTEM = Actor("system", "system")


@dataclass
class Loaded:
    row: Application
    case: Case
    task_ids: dict[str, int]
    saved: bool = False
    # each task's columns as stored: a save writes only the tasks that changed (a tick that warns
    # one item of a six-item case is one task UPDATE, not six)
    stored: dict[str, dict] = field(default_factory=dict)


async def load(catalog: Catalog, application_id: int) -> Loaded | None:
    row = await Application.get_or_none(id=application_id).select_related("applicant")
    if row is None:
        return None
    tasks = await ReviewTask.filter(application_id=row.id).order_by("id")
    return _loaded(catalog, row, tasks, bool(await credit.flags_for_case(row.applicant, row.enterprise_code)))


async def load_many(catalog: Catalog, ids: list[int]) -> list[Loaded]:
    """Several cases in three queries (the deadline sweep's batch), in ``ids`` order; gone ones left out."""
    rows = {row.id: row for row in await Application.filter(id__in=ids).select_related("applicant")}
    tasks: dict[int, list[ReviewTask]] = {}
    for task in await ReviewTask.filter(application_id__in=list(rows)).order_by("id"):
        tasks.setdefault(task.application_id, []).append(task)
    flagged = await credit.flagged([(row.applicant, row.enterprise_code) for row in rows.values()])
    return [_loaded(catalog, row, tasks.get(row.id, []), credit.flagged_case(flagged, row.applicant,
                                                                          row.enterprise_code))
            for row in (rows.get(i) for i in ids) if row is not None]


def _loaded(catalog: Catalog, row: Application, tasks: list[ReviewTask], blacklisted: bool) -> Loaded:
    case = Case(
        thing=catalog.things[row.thing], state=State(row.state),
        tasks=[_task(t) for t in tasks],
        owed=[_owed_from(o) for o in row.owed],
        problems=list(row.problems), intake_due_on=row.intake_due_on,
        submitted_on=local_date(row.submitted_at) if row.submitted_at else None, expected_on=row.expected_on,
        suspended_since=row.suspended_since, blacklisted=blacklisted,
    )
    return Loaded(row=row, case=case, task_ids={t.item: t.id for t in tasks},
                  stored={task.item: copy.deepcopy(_columns(task)) for task in case.tasks})


def _task(row: ReviewTask) -> Task:
    return Task(
        item=row.item, department=row.department, stage=row.stage, limit_days=row.limit_days,
        state=TaskState(row.state), started_on=row.started_on, due_on=row.due_on, paused_days=row.paused_days,
        pause_kind=row.pause_kind, paused_since=row.paused_since, warned=row.warned, overdue=row.overdue,
        result_number=row.result_number, note=row.note, problems=list(row.problems), legal_days=row.legal_days,
        legal_due_on=row.legal_due_on, legal_overdue=row.legal_overdue, red_card=row.red_card,
        extension_state=row.extension_state,
        extension_reason=row.extension_reason, extension_note=row.extension_note,
        extension_days=row.extension_days, id=row.id,
    )


def _columns(task: Task) -> dict:
    values = {f.name: getattr(task, f.name) for f in dataclasses.fields(Task) if f.name not in ("item", "id")}
    values["state"] = task.state.value
    return values


@dataclass
class Change:
    """One case's save, worked out and not yet written: what ``write`` and ``write_effects`` put
    in a transaction (one case's, or the deadline sweep's for many cases)."""

    loaded: Loaded
    actor: Actor
    now: datetime
    expected_on: date | None
    graded: grading.Plan
    events: list[AuditEvent]
    head: dict
    written: dict[str, dict] = field(default_factory=dict)


def prepare(loaded: Loaded, actor: Actor, now: datetime, *, calendar: WorkCalendar,
            supervision: grading.Supervision = grading.DEFAULT, ticked: bool = False) -> Change:
    """The expected completion date is stored with every save, so what reads it (the applicant's
    view, the bot) needs no calendar; so are its grade, the day the deadline job next has work on
    it (``ticked``: this change is that job's) and the facts it counts (onething.services.grading)."""
    row, case = loaded.row, loaded.case
    graded = grading.plan(case, row.window, actor.name, actor.role, now, calendar, supervision.rules, ticked=ticked)
    # The version check in ``write`` proves nobody wrote the case since it was loaded (every append
    # to its trail bumps the version), so the loaded head is the trail's: the new head goes with
    # the case's own UPDATE instead of three more round trips (trails.append).
    events = trails.following(trails.CASE, row.id, _event_columns(case.events, actor, now),
                              Head(row.trail_count, row.trail_head))
    head = {"trail_count": row.trail_count + len(events), "trail_head": events[-1].hash} if events else {}
    return Change(loaded, actor, now, _expected(case, now, calendar), graded, events, head)


async def write(change: Change, conn) -> bool:
    """The case's row and its changed tasks; False (nothing written) when someone saved it first."""
    loaded, now = change.loaded, change.now
    row, case = loaded.row, loaded.case
    changed = await Application.filter(id=row.id, version=row.version).using_db(conn).update(
        **change.head, state=case.state.value, version=F("version") + 1, problems=case.problems,
        owed=[_owed(o) for o in case.owed], intake_due_on=case.intake_due_on,
        suspended_since=case.suspended_since, updated_at=now, expected_on=change.expected_on,
        **change.graded.columns(), **({"submitted_at": now} if _just(case, "submit", "resubmit") else {}),
    )
    if changed != 1:
        return False
    for task in case.tasks:
        values = _columns(task)
        if values == loaded.stored.get(task.item):
            continue
        if task.item in loaded.task_ids:
            await ReviewTask.filter(id=loaded.task_ids[task.item]).using_db(conn).update(**values)
        else:
            created = await ReviewTask.create(application_id=row.id, item=task.item, **values, using_db=conn)
            loaded.task_ids[task.item] = created.id
        change.written[task.item] = copy.deepcopy(values)
    return True


async def write_effects(changes: list[Change], conn, supervision: grading.Supervision = grading.DEFAULT) -> None:
    """What the written changes add: their audit events, counted facts, staff notices and the
    applicants' notifications, each kind in one INSERT however many cases there are."""
    await trails.write(trails.CASE, [event for change in changes for event in change.events], conn)
    await grading.write_many([(c.graded, c.loaded.row.id, c.loaded.row.number, c.loaded.case, c.now)
                              for c in changes], conn, supervision)
    notifications = [Notification(application_id=c.loaded.row.id, citizen_id=c.loaded.row.applicant_id, kind=kind,
                                  payload={"number": c.loaded.row.number, **payload})
                     for c in changes for kind, payload in c.loaded.case.notices]
    if notifications:
        await Notification.bulk_create(notifications, using_db=conn)


def settle(change: Change) -> None:
    """After the commit: the loaded case is what was stored, ready for another change."""
    loaded, graded = change.loaded, change.graded
    row = loaded.row
    loaded.stored.update(change.written)
    if change.head:
        row.trail_count, row.trail_head = change.head["trail_count"], change.head["trail_head"]
    row.version += 1
    row.expected_on = change.expected_on
    row.grade, row.next_check_on, row.window = int(graded.grade), graded.next_check_on, graded.window
    loaded.saved = True
    loaded.case.events.clear()
    loaded.case.notices.clear()


async def save(loaded: Loaded, actor: Actor, now: datetime, also=None, *, calendar: WorkCalendar,
               supervision: grading.Supervision = grading.DEFAULT, ticked: bool = False) -> None:
    """Save the case; ``also(conn)``, if given, writes what goes with the change in the same transaction."""
    change = prepare(loaded, actor, now, calendar=calendar, supervision=supervision, ticked=ticked)
    async with in_transaction() as conn:
        if not await write(change, conn):
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
        await Application.filter(id=row.id, version=row.version).using_db(conn).update(**columns)
        for name, value in columns.items():
            setattr(row, name, value)


async def record(application_id: int, actor: Actor, action: str, note: str, now: datetime, conn) -> None:
    """Trace an action that changes no state (a document, the delivery choice, the form).

    Bumping the version takes the case's row lock, so a workflow save racing this one fails its
    version check and retries: the hash chain never forks.
    """
    await Application.filter(id=application_id).using_db(conn).update(version=F("version") + 1, updated_at=now)
    row = await Application.get(id=application_id).using_db(conn)
    state = State(row.state)
    await _append(application_id, [Event(action, state, state, note)], actor, now, conn)


async def _append(application_id: int, events: list[Event], actor: Actor, now: datetime, conn) -> None:
    await trails.append(trails.CASE, application_id, _event_columns(events, actor, now), conn)


def _event_columns(events: list[Event], actor: Actor, now: datetime) -> list[dict]:
    return [{"actor": actor.name, "role": actor.role, "action": e.action, "from_state": e.from_state.value,
             "to_state": e.to_state.value, "item": e.item, "note": e.note, "at": now} for e in events]


def _expected(case: Case, now: datetime, calendar: WorkCalendar) -> date | None:
    try:
        return expected_completion(case, local_date(now), calendar)
    except CalendarError:
        # A stage not yet started projected into a year without a schedule: an estimate must not
        # stop the decision being saved; the next save, once the calendar covers it, fills it in.
        return None


def _owed(owed: Owed) -> dict:
    return {"material": owed.material, "due_on": owed.due_on.isoformat(), "received": owed.received,
            "reminded_on": _iso(owed.reminded_on), "waived_by": owed.waived_by,
            "waived_reason": owed.waived_reason, "waived_on": _iso(owed.waived_on)}


def _owed_from(o: dict) -> Owed:
    return Owed(o["material"], date.fromisoformat(o["due_on"]), o["received"], _day(o.get("reminded_on")),
                waived_by=o.get("waived_by"), waived_reason=o.get("waived_reason", ""),
                waived_on=_day(o.get("waived_on")))


def outstanding(owed_rows: list[dict]) -> list[str]:
    """The owed materials (as stored) neither received nor waived."""
    return [o["material"] for o in owed_rows if not o["received"] and not o.get("waived_by")]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _just(case: Case, *actions: str) -> bool:
    return any(event.action in actions for event in case.events)


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
