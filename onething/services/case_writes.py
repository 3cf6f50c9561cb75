"""Writing a case's change: worked out first (``prepare``), then written in the caller's
transaction (``write`` and ``write_effects``), for one case (``case_store.save``) or for many at
once (the deadline sweep's batch), and settled once committed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from onething.domain.audit import Head
from onething.domain.calendar import WorkCalendar
from onething.services import grading, trails
from storage import updates
from storage.models import Application, Notification, ReviewTask

from .case_rows import Actor, Loaded, changed_columns, columns_of, event_columns, expected, just, owed_json, snapshot


@dataclass
class Change:
    """One case's save, worked out and not yet written: what ``write`` and ``write_effects`` put
    in a transaction (one case's, or the deadline sweep's for many cases)."""

    loaded: Loaded
    actor: Actor
    now: datetime
    expected_on: date | None
    graded: grading.Plan
    events: list[dict]  # the audit events' rows, hashed into the case's trail
    head: dict
    written: dict[str, tuple] = field(default_factory=dict)  # the tasks' new snapshots
    json: dict[str, list] = field(default_factory=dict)  # the case's JSON columns written, as written


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
    events = trails.following(trails.CASE, row.id, event_columns(case.events, actor, now),
                              Head(row.trail_count, row.trail_head))
    head = {"trail_count": row.trail_count + len(events), "trail_head": events[-1]["hash"]} if events else {}
    return Change(loaded, actor, now, expected(case, now, calendar), graded, events, head)


async def write(changes: list[Change], conn) -> list[Change]:
    """The cases' rows and their changed tasks; returns the changes written. A case someone saved
    since it was loaded writes nothing (its version moved on): the caller tries it again afresh.

    One change is one version-checked UPDATE. Many (the deadline sweep's batch) lock their rows in
    id order and read the versions in one query, then go as one statement with many rows for the
    cases and one for the tasks: thousands of cases in a row were otherwise mostly round trips."""
    rows = [(change, _case_columns(change)) for change in sorted(changes, key=lambda c: c.loaded.row.id)]
    if len(rows) == 1:
        change, values = rows[0]
        where = {"id": change.loaded.row.id, "version": change.loaded.row.version}
        fresh = rows if await updates.update(conn, Application, values, where, bump="version") == 1 else []
    else:
        current = await updates.locked_versions(conn, Application, [change.loaded.row.id for change, _ in rows])
        fresh = [(change, values) for change, values in rows
                 if current.get(change.loaded.row.id) == change.loaded.row.version]
        await updates.update_many(conn, Application, [({**values, "version": change.loaded.row.version + 1},
                                                {"id": change.loaded.row.id}) for change, values in fresh])
    tasks = []
    for change, _ in fresh:
        loaded = change.loaded
        for task in loaded.case.tasks:
            taken = snapshot(task)
            if taken == loaded.stored.get(task.item):
                continue
            if task.item in loaded.task_ids:
                before = loaded.stored.get(task.item)
                values = columns_of(task) if before is None else changed_columns(task, before, taken)
                tasks.append((values, {"id": loaded.task_ids[task.item]}))
            else:
                created = await ReviewTask.create(application_id=loaded.row.id, item=task.item, **columns_of(task),
                                                  using_db=conn)
                loaded.task_ids[task.item] = created.id
            change.written[task.item] = taken
    await updates.update_many(conn, ReviewTask, tasks)
    return [change for change, _ in fresh]


def _case_columns(change: Change) -> dict:
    row, case, now = change.loaded.row, change.loaded.case, change.now
    columns = {"state": case.state.value, "intake_due_on": case.intake_due_on,
               "suspended_since": case.suspended_since, "updated_at": now, "expected_on": change.expected_on,
               **change.graded.columns(), "trail_count": row.trail_count, "trail_head": row.trail_head,
               **change.head, "submitted_at": now if just(case, "submit", "resubmit") else row.submitted_at}
    # The JSON columns only when they changed (a tick seldom changes them): the version check
    # proves the loaded values are the stored ones, and each costs an encoding here and a parse
    # in the database.
    owed = [owed_json(o) for o in case.owed]
    if case.problems != row.problems:
        columns["problems"] = change.json["problems"] = list(case.problems)
    if owed != row.owed:
        columns["owed"] = change.json["owed"] = owed
    return columns


async def write_effects(changes: list[Change], conn, supervision: grading.Supervision = grading.DEFAULT) -> None:
    """What the written changes add: their audit events, counted facts, staff notices and the
    applicants' notifications, each kind in one INSERT however many cases there are."""
    await trails.write(trails.CASE, [event for change in changes for event in change.events], conn)
    await grading.write_many([(c.graded, c.loaded.row.id, c.loaded.row.number, c.loaded.case, c.now)
                              for c in changes], conn, supervision)
    await updates.insert_many(conn, Notification, [
        {"application_id": c.loaded.row.id, "citizen_id": c.loaded.row.applicant_id, "kind": kind,
         "payload": {"number": c.loaded.row.number, **payload}}
        for c in changes for kind, payload in c.loaded.case.notices])


def settle(change: Change) -> None:
    """After the commit: the loaded case is what was stored, ready for another change."""
    loaded, graded = change.loaded, change.graded
    row = loaded.row
    loaded.stored.update(change.written)
    for name, value in change.json.items():  # what the next save of this loaded case compares with
        setattr(row, name, value)
    if change.head:
        row.trail_count, row.trail_head = change.head["trail_count"], change.head["trail_head"]
    row.version += 1
    row.expected_on = change.expected_on
    row.grade, row.next_check_on, row.window = int(graded.grade), graded.next_check_on, graded.window
    loaded.saved = True
    loaded.case.events.clear()
    loaded.case.notices.clear()
