"""The review tasks the back office lists and acts on: queues, and who may act on which task.

A reviewer works only their own department's tasks: another department's task does not exist
for them (404). Supervisors and admins decide extension requests on any task.
"""

from __future__ import annotations

import heapq
from datetime import date
from itertools import islice
from typing import Awaitable, Callable

from onething.domain.catalog import Catalog
from onething.domain.extensions import PENDING
from onething.domain.refusals import Refused
from onething.domain.states import TaskState
from onething.services.presenters import task_json
from onething.services.staff import StaffSession
from storage.models import ReviewTask

QUEUE_SIZE = 500
PAGE_SIZE = 50  # a department's queue page (GET /tasks?page=)
OPEN = [TaskState.IN_REVIEW.value, TaskState.PAUSED.value]


async def queue(catalog: Catalog, session: StaffSession, department: str | None, page: int = 1) -> dict:
    """A page of a department's open tasks, nearest deadline first; a reviewer always sees their own.

    A page, not the whole queue: rendering 500 tasks was most of a busy department's request."""
    if session.role == "reviewer":
        department = session.department
    rows = await open_tasks(department, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    return {"items": [task_json(catalog, r) for r in rows[:PAGE_SIZE]], "page": page,
            "next": page + 1 if len(rows) > PAGE_SIZE else None}


async def open_tasks(department: str | None, offset: int, limit: int, related: tuple[str, ...] = ()) -> list[ReviewTask]:
    """Open tasks, nearest due date first: ``limit`` of them after the first ``offset``.

    Each open state is read on its own from a queue index (department, state, due_on, id; or, for
    the whole county's, a supervisor's with no department, state, due_on, id) and the two runs are
    merged: with ``state IN (...)`` the database cannot read an index in due order, and sorted all
    14,000 open tasks of a busy department for every page."""
    runs = []
    for state in OPEN:
        query = ReviewTask.filter(state=state, **({"department": department} if department else {}))
        runs.append(await query.order_by("due_on", "id").limit(offset + limit).select_related(*related))
    return list(islice(heapq.merge(*runs, key=_queue_order), offset, offset + limit))


def _queue_order(task: ReviewTask) -> tuple:
    return task.due_on is None, task.due_on or date.min, task.id  # as PostgreSQL sorts: no date last


async def of_reviewer(session: StaffSession, task_id: int) -> ReviewTask:
    task = await ReviewTask.get_or_none(id=task_id)
    if task is None or task.department != session.department:
        raise Refused("not_found", status=404)  # another department's task does not exist for this reviewer
    return task


async def any_task(task_id: int) -> ReviewTask:
    task = await ReviewTask.get_or_none(id=task_id)
    if task is None:
        raise Refused("not_found", status=404)
    return task


async def act(flow, session: StaffSession, task_id: int, decision: Callable[[ReviewTask], Awaitable],
              *, own_department: bool = True) -> dict:
    """Apply one workflow decision to a task the caller may act on; the task as it is after it."""
    task = await (of_reviewer(session, task_id) if own_department else any_task(task_id))
    await decision(task)
    await task.refresh_from_db()
    return task_json(flow.catalog, task)


async def extension_requests(catalog: Catalog, state: str) -> list[dict]:
    """Extension requests in one state, the oldest legal due date (the most urgent) first."""
    query = ReviewTask.filter(extension_state=state)
    if state == PENDING:  # a request on an item decided meanwhile has nothing left to extend
        query = query.filter(state__in=OPEN)
    rows = await query.order_by("legal_due_on", "id").limit(QUEUE_SIZE).select_related("application")
    return [{**task_json(catalog, r), "number": r.application.number} for r in rows]
