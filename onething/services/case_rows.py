"""A case's rows and the domain's case, each way: who acts, what was loaded, how a task, a
deferred material and an event are stored."""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass, field
from datetime import date, datetime

from onething.domain.calendar import CalendarError, WorkCalendar, local_date
from onething.domain.case import Case, Event, Owed, Task
from onething.domain.schedule import expected_completion
from onething.domain.states import TaskState
from storage.models import Application


@dataclass(frozen=True)
class Actor:
    name: str  # "staff:zhang", "citizen:12", "system"
    role: str  # clerk | reviewer | supervisor | manager | admin | citizen | courier | system


SYSTEM = Actor("system", "system")


# What a batch of the deadline sweep reads of each case's row (``CaseRow``): not the form, the
# delivery or the rest a model object would decode for each of thousands of cases.
CASE_COLUMNS = ("id", "number", "thing", "state", "version", "window", "trail_count", "trail_head", "applicant_id",
                "enterprise_code", "owed", "problems", "intake_due_on", "submitted_at", "expected_on",
                "suspended_since", "grade", "next_check_on")


class CaseRow:
    """A case's row as ``CASE_COLUMNS`` read it: what loading, ticking and saving a case use of it."""

    __slots__ = CASE_COLUMNS

    def __init__(self, values: dict):
        for name in CASE_COLUMNS:
            setattr(self, name, values[name])


@dataclass
class Loaded:
    row: Application | CaseRow
    case: Case
    task_ids: dict[str, int]
    saved: bool = False
    # each task as stored (case_rows.snapshot): a save writes only the tasks that changed (a tick
    # that warns one item of a six-item case is one task UPDATE, not six)
    stored: dict[str, tuple] = field(default_factory=dict)


def task_of(row: dict) -> Task:
    """A task from its row's values (``ReviewTask...values()``: no model object for each row, as
    the deadline sweep loads thousands of tasks at a time), its fields given in their order."""
    return task_at([row[name] for name in TASK_FIELDS])


def task_at(values: list) -> Task:
    """A task from its column values in ``TASK_FIELDS`` order, as ``updates.records_in`` reads them."""
    task = Task(*values)
    task.state, task.problems = _TASK_STATES[task.state], list(task.problems)
    return task


_TASK_STATES = {state.value: state for state in TaskState}  # a lookup: calling the enum costs ten times more


TASK_FIELDS = tuple(f.name for f in dataclasses.fields(Task))
TASK_COLUMNS = tuple(f.name for f in dataclasses.fields(Task) if f.name not in ("item", "id"))
_SCALAR_NAMES = tuple(name for name in TASK_COLUMNS if name != "problems")
_SCALARS = operator.attrgetter(*_SCALAR_NAMES)


def columns_of(task: Task) -> dict:
    """A task's columns as stored."""
    values = {name: getattr(task, name) for name in TASK_COLUMNS}
    values["state"] = task.state.value
    values["problems"] = list(task.problems)
    return values


def snapshot(task: Task) -> tuple:
    """What a save compares to find the tasks a change touched: cheap to take for every task of
    a loaded case, and a copy (later changes to the task never reach it)."""
    return _SCALARS(task), tuple(task.problems)


def changed_columns(task: Task, before: tuple, after: tuple) -> dict:
    """The columns of ``task`` that differ between two of its snapshots, as stored: an UPDATE
    of those alone (a warning is one column of twenty)."""
    values = {name: value for name, value, was in zip(_SCALAR_NAMES, after[0], before[0]) if value != was}
    if "state" in values:
        values["state"] = task.state.value
    if after[1] != before[1]:
        values["problems"] = list(task.problems)
    return values


def event_columns(events: list[Event], actor: Actor, now: datetime) -> list[dict]:
    return [{"actor": actor.name, "role": actor.role, "action": e.action, "from_state": e.from_state.value,
             "to_state": e.to_state.value, "item": e.item, "note": e.note, "at": now} for e in events]


def expected(case: Case, now: datetime, calendar: WorkCalendar) -> date | None:
    try:
        return expected_completion(case, local_date(now), calendar)
    except CalendarError:
        # A stage not yet started projected into a year without a schedule: an estimate must not
        # stop the decision being saved; the next save, once the calendar covers it, fills it in.
        return None


def owed_json(owed: Owed) -> dict:
    return {"material": owed.material, "due_on": owed.due_on.isoformat(), "received": owed.received,
            "reminded_on": iso(owed.reminded_on), "waived_by": owed.waived_by,
            "waived_reason": owed.waived_reason, "waived_on": iso(owed.waived_on)}


def owed_of(o: dict) -> Owed:
    return Owed(o["material"], date.fromisoformat(o["due_on"]), o["received"], day(o.get("reminded_on")),
                waived_by=o.get("waived_by"), waived_reason=o.get("waived_reason", ""),
                waived_on=day(o.get("waived_on")))


def outstanding(owed_rows: list[dict]) -> list[str]:
    """The owed materials (as stored) neither received nor waived."""
    return [o["material"] for o in owed_rows if not o["received"] and not o.get("waived_by")]


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def just(case: Case, *actions: str) -> bool:
    return any(event.action in actions for event in case.events)
