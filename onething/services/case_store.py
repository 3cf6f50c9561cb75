"""Loading a case into the domain and saving it back: state, tasks, audit events and outbox,
all in one transaction, guarded by the case's version so that no concurrent decision is lost.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timezone

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from onething.domain.calendar import CalendarError, WorkCalendar, local_date
from onething.domain.case import Case, Event, Owed, Task
from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.domain.schedule import expected_completion
from onething.domain.states import State, TaskState
from onething.services import credit, enterprises, grading, trails
from storage.models import Application, CaseCounter, Citizen, Notification, ReviewTask


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


async def load(catalog: Catalog, application_id: int) -> Loaded | None:
    row = await Application.get_or_none(id=application_id).select_related("applicant")
    if row is None:
        return None
    tasks = await ReviewTask.filter(application_id=row.id).order_by("id")
    case = Case(
        thing=catalog.things[row.thing], state=State(row.state),
        tasks=[_task(t) for t in tasks],
        owed=[_owed_from(o) for o in row.owed],
        problems=list(row.problems), intake_due_on=row.intake_due_on,
        submitted_on=local_date(row.submitted_at) if row.submitted_at else None, expected_on=row.expected_on,
        suspended_since=row.suspended_since,
        blacklisted=bool(await credit.flags_for_case(row.applicant, row.enterprise_code)),
    )
    return Loaded(row=row, case=case, task_ids={t.item: t.id for t in tasks})


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


async def save(loaded: Loaded, actor: Actor, now: datetime, also=None, *, calendar: WorkCalendar,
               supervision: grading.Supervision = grading.DEFAULT, ticked: bool = False) -> None:
    """Save the case; ``also(conn)``, if given, writes what goes with the change in the same transaction.

    The expected completion date is stored with every save, so what reads it (the applicant's
    view, the bot) needs no calendar; so are its grade, the day the deadline job next has work on
    it (``ticked``: this change is that job's) and the facts it counts (onething.services.grading)."""
    row, case = loaded.row, loaded.case
    expected_on = _expected(case, now, calendar)
    graded = grading.plan(case, row.window, actor.name, actor.role, now, calendar, supervision.rules, ticked=ticked)
    async with in_transaction() as conn:
        changed = await Application.filter(id=row.id, version=row.version).using_db(conn).update(
            state=case.state.value, version=F("version") + 1, problems=case.problems,
            owed=[_owed(o) for o in case.owed], intake_due_on=case.intake_due_on,
            suspended_since=case.suspended_since, updated_at=now, expected_on=expected_on, **graded.columns(),
            **({"submitted_at": now} if _just(case, "submit", "resubmit") else {}),
        )
        if changed != 1:
            raise ConcurrentUpdate(row.id)
        for task in case.tasks:
            values = {f.name: getattr(task, f.name) for f in dataclasses.fields(Task) if f.name not in ("item", "id")}
            values["state"] = task.state.value
            if task.item in loaded.task_ids:
                await ReviewTask.filter(id=loaded.task_ids[task.item]).using_db(conn).update(**values)
            else:
                created = await ReviewTask.create(application_id=row.id, item=task.item, **values, using_db=conn)
                loaded.task_ids[task.item] = created.id
        await _append_events(row.id, case, actor, now, conn)
        await grading.write(graded, row.id, row.number, case, now, conn, supervision)
        for kind, payload in case.notices:
            await Notification.create(application_id=row.id, citizen_id=row.applicant_id, kind=kind,
                                      payload={"number": row.number, **payload}, using_db=conn)
        if also is not None:
            await also(conn)
    row.version += 1
    row.expected_on = expected_on
    row.grade, row.next_check_on, row.window = int(graded.grade), graded.next_check_on, graded.window
    loaded.saved = True
    case.events.clear()
    case.notices.clear()


async def replan(loaded: Loaded, now: datetime, calendar: WorkCalendar,
                 supervision: grading.Supervision = grading.DEFAULT) -> None:
    """The deadline job found nothing to do: date its next visit (and the grade, for a case graded
    before grades were kept), unless someone saved the case meanwhile (their save dated it)."""
    row = loaded.row
    graded = grading.plan(loaded.case, row.window, "system", "system", now, calendar, supervision.rules, ticked=True)
    columns = {k: v for k, v in graded.columns().items() if k != "window"}
    if any(getattr(row, k) != v for k, v in columns.items()):
        await Application.filter(id=row.id, version=row.version).update(**columns)
        row.grade, row.next_check_on = columns["grade"], columns["next_check_on"]


async def record(application_id: int, actor: Actor, action: str, note: str, now: datetime, conn) -> None:
    """Trace an action that changes no state (a document, the delivery choice, the form).

    Bumping the version takes the case's row lock, so a workflow save racing this one fails its
    version check and retries: the hash chain never forks.
    """
    await Application.filter(id=application_id).using_db(conn).update(version=F("version") + 1, updated_at=now)
    row = await Application.get(id=application_id).using_db(conn)
    state = State(row.state)
    await _append(application_id, [Event(action, state, state, note)], actor, now, conn)


async def _append_events(application_id: int, case: Case, actor: Actor, now: datetime, conn) -> None:
    await _append(application_id, case.events, actor, now, conn)


async def _append(application_id: int, events: list[Event], actor: Actor, now: datetime, conn) -> None:
    await trails.append(trails.CASE, application_id, [
        {"actor": actor.name, "role": actor.role, "action": e.action, "from_state": e.from_state.value,
         "to_state": e.to_state.value, "item": e.item, "note": e.note, "at": now} for e in events], conn)


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
