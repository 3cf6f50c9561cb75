"""The console's queues, a page at a time: the window's intake queue and a department's tasks.

Each page is a few queries whatever its length (the rows, with what they show joined in, read
in queue order from an index, one run per open state for a department's tasks; and the count),
so a queue of ten thousand cases opens as fast as one of ten. The authorisation is
the JSON API's: a reviewer's queue is always their own department's (``review_tasks``).
"""

from __future__ import annotations

from datetime import date

from onething.domain.calendar import WorkCalendar
from onething.domain.catalog import Catalog
from onething.domain.states import State
from onething.services.presenters import application_summary, task_json
from onething.services.review_tasks import OPEN, open_tasks
from onething.services.staff import StaffSession
from storage.models import Application, ReviewTask

PAGE_SIZE = 50


def _pages(total: int, page: int) -> dict:
    last = max(1, -(-total // PAGE_SIZE))
    return {"total": total, "page": page, "pages": last, "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < last else None}


def intake_countdown(calendar: WorkCalendar, today: date, due: date | None) -> dict:
    """§32: a case not decided within 5 working days of submission counts as accepted."""
    if due is None:
        return {"days_left": None, "urgency": "ok"}
    if today > due:
        return {"days_left": -calendar.working_days_between(due, today), "urgency": "legal"}
    left = calendar.working_days_between(today, due)
    return {"days_left": left, "urgency": "overdue" if left == 0 else "warned" if left <= 1 else "ok"}


async def intake_page(catalog: Catalog, calendar: WorkCalendar, today: date, page: int = 1) -> dict:
    """Submitted cases, the nearest intake deadline first, each with its countdown."""
    query = Application.filter(state=State.SUBMITTED.value)
    rows = await query.order_by("intake_due_on", "id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    items = [{**application_summary(catalog, r), **intake_countdown(calendar, today, r.intake_due_on)} for r in rows]
    return {"items": items, **_pages(await query.count(), page)}


def badge(task: dict) -> str:
    """The supervision grade of a task: 红牌 past the legal limit, 黄牌 past the promised one, 预警 near it."""
    return "legal" if task["legal_overdue"] else "overdue" if task["overdue"] else "warned" if task["warned"] else "ok"


async def department_page(catalog: Catalog, session: StaffSession, page: int = 1) -> dict:
    """The reviewer's department's open tasks, the nearest due date first, with their case numbers."""
    query = ReviewTask.filter(state__in=OPEN, department=session.department)
    rows = await open_tasks(session.department, (page - 1) * PAGE_SIZE, PAGE_SIZE, ("application",))
    items = [{**(shown := task_json(catalog, r)), "number": r.application.number, "badge": badge(shown)} for r in rows]
    return {"items": items, **_pages(await query.count(), page)}
