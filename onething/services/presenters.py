"""How cases look in JSON: the same shape for the back office and (masked) for applicants."""

from __future__ import annotations

from datetime import date
from typing import Any

from onething.domain.calendar import WorkCalendar, end_of_day
from onething.domain import schedule
from onething.domain.catalog import Catalog
from onething.domain.extensions import STATE_NAMES as EXTENSION_STATE_NAMES
from onething.domain.grades import Grade, task_grade
from onething.domain.issues import STATE_NAMES as ISSUE_STATE_NAMES, IssueState, is_overdue
from onething.domain.personal import masked_delivery
from onething.domain.states import PAUSE_NAMES, STATE_NAMES, TASK_STATE_NAMES, State, TaskState
from onething.services import timeline
from onething.services.forms import shown
from onething.services.issues import IssueDesk, domain_of
from storage.models import Application, AuditEvent, Issue, ReviewTask


def task_json(catalog: Catalog, row: ReviewTask) -> dict:
    # a task outlives a catalog edit that renames its item or department: it is shown by its codes
    item = next((t.items[row.item] for t in catalog.things.values() if row.item in t.items), None)
    department = catalog.departments.get(row.department)
    return {
        "id": row.id, "item": row.item, "name": item.name if item else row.item, "department": row.department,
        "department_name": department.name if department else row.department, "stage": row.stage,
        "state": row.state, "state_name": TASK_STATE_NAMES[TaskState(row.state)],
        # due_on is the promised date (承诺时限): warnings and overdue follow it; legal_due_on the
        # legal one (法定时限), moved by an approved extension; legal_overdue is passing it.
        "started_on": _day(row.started_on), "due_on": _day(row.due_on),
        "due_at": end_of_day(row.due_on).isoformat() if row.due_on else None,
        "legal_due_on": _day(row.legal_due_on),
        "paused_days": row.paused_days, "pause": PAUSE_NAMES.get(row.pause_kind or "", row.pause_kind),
        "warned": row.warned, "overdue": row.overdue, "legal_overdue": row.legal_overdue, "red_card": row.red_card,
        # the supervision grade these flags make (onething.domain.grades): none, warning, yellow, red
        "grade": task_grade(row.warned, row.overdue, row.legal_overdue, row.red_card).code,
        "extension": {"state": row.extension_state, "state_name": EXTENSION_STATE_NAMES.get(row.extension_state, row.extension_state),
                      "reason": row.extension_reason, "note": row.extension_note,
                      "days": row.extension_days} if row.extension_state else None,
        "result_number": row.result_number, "note": row.note, "problems": row.problems,
        "application_id": row.application_id,
    }


def expected_completion(row: Application) -> str | None:
    """The critical path of what remains, as stored with the case's last save (domain.schedule)."""
    return _day(schedule.as_told(State(row.state), row.expected_on))


def application_summary(catalog: Catalog, row: Application) -> dict:
    return {
        "id": row.id, "number": row.number, "thing": row.thing, "thing_name": catalog.things[row.thing].name,
        "state": row.state, "state_name": STATE_NAMES[State(row.state)],
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "intake_due_on": _day(row.intake_due_on), "suspended_since": _day(row.suspended_since),
    }


def application_detail(catalog: Catalog, row: Application, tasks: list[ReviewTask],
                       events: list[AuditEvent], cipher) -> dict:
    """Personal form fields are masked for staff too: a full value is revealed one field at a
    time, on purpose and traced (onething.web.form_reveal)."""
    return {
        **application_summary(catalog, row), "grade": Grade(row.grade).code,  # the worst of its items' (电子监察)
        "form": shown(catalog.things[row.thing].form, row.form, cipher, row.id), "problems": row.problems, "owed": row.owed,
        "expected_completion_on": expected_completion(row),
        "tasks": [task_json(catalog, t) for t in tasks],
        "timeline": [
            {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "role": e.role, "action": e.action,
             "from_state": e.from_state, "to_state": e.to_state, "item": e.item, "note": e.note}
            for e in events
        ],
    }


def _day(value) -> str | None:
    return value.isoformat() if value else None


def applicant_detail(catalog: Catalog, row: Application, tasks: list[ReviewTask], events: list[AuditEvent],
                     attached: list, cipher, *, own: bool) -> dict:
    """What the applicant sees (and, ``own`` false, another contact of their enterprise): no staff
    names, masked personal data, the documents."""
    detail = application_detail(catalog, row, tasks, events, cipher)
    # each step as a sentence (templates/timeline.txt.j2): no action, material or item codes, no hashes
    form = catalog.things[row.thing].form
    detail["timeline"] = [
        {"seq": e["seq"], "at": e["at"], "actor": timeline.actor(e["role"]),
         "text": timeline.sentence(catalog, e, owed=row.owed, form=form)}
        for e in detail["timeline"]]
    detail["materials"] = [
        {"material": a.material, "name": catalog.materials[a.material].name, "filename": a.file.filename,
         "size": a.file.size, "content_type": a.file.content_type, "verified": a.file.verified}
        for a in attached
    ]
    detail["delivery"] = masked_delivery(row.delivery, own=own)
    # who waived an owed material is a staff name: the applicant reads only that it was, and why
    detail["owed"] = [{k: v for k, v in o.items() if k != "waived_by"} | {"waived": bool(o.get("waived_by"))}
                      for o in row.owed]
    return detail


def issue_json(desk: IssueDesk, row: Issue, today: date) -> dict:
    level = desk.ladder[row.level]
    return {
        "id": row.id, "project_id": row.project_id, "title": row.title, "detail": row.detail,
        "department": row.department, "department_name": desk.departments.get(row.department, row.department),
        "requested_by": row.requested_by.isoformat(), "state": row.state,
        "state_name": ISSUE_STATE_NAMES[IssueState(row.state)],
        "level": {"index": row.level, "code": level.code, "name": level.name, "top": row.level == len(desk.ladder) - 1},
        "due_on": row.due_on.isoformat(), "overdue": is_overdue(domain_of(row), today),
        "resolution": row.resolution, "reopened": row.reopened, "opened_by": row.opened_by,
        "opened_at": row.opened_at.isoformat(), "closed_at": row.closed_at.isoformat() if row.closed_at else None,
    }


DUE_FIELDS = ("due_on", "intake_due_on", "expected_completion_on", "legal_due_on")


def mark_provisional(view: Any, calendar: WorkCalendar) -> Any:
    """Add the ``_provisional`` flags to every due date in ``view`` (dicts and lists, in place)."""
    if isinstance(view, list):
        for entry in view:
            mark_provisional(entry, calendar)
    elif isinstance(view, dict):
        for key in DUE_FIELDS:
            if key in view:
                value = view[key]
                view[key[:-3] + "_provisional"] = bool(value) and calendar.is_provisional(
                    value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
        for value in view.values():
            if isinstance(value, (dict, list)):
                mark_provisional(value, calendar)
    return view
