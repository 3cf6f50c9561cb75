"""A task's row and the domain's task, each way, and what a save writes of a task that changed."""

from __future__ import annotations

from datetime import date

from onething.domain.records import Task
from onething.domain.states import TaskState
from onething.services.case_rows import TASK_COLUMNS, changed_columns, columns_of, snapshot, task_of


def a_task() -> Task:
    return Task("licence", "market", "s1", 3, TaskState.IN_REVIEW, started_on=date(2026, 3, 2),
                due_on=date(2026, 3, 5), legal_days=20, legal_due_on=date(2026, 3, 30), id=7)


def test_a_task_read_from_its_row_is_the_task_written():
    task = a_task()
    assert task_of({"id": 7, "item": "licence", **columns_of(task)}) == task


def test_a_save_writes_only_the_columns_that_changed_as_stored():
    task = a_task()
    before = snapshot(task)
    task.warned = True
    assert changed_columns(task, before, snapshot(task)) == {"warned": True}
    task.state, task.problems = TaskState.PAUSED, ["租赁合同未盖章"]
    assert changed_columns(task, before, snapshot(task)) == {"warned": True, "state": "paused",
                                                             "problems": ["租赁合同未盖章"]}


def test_every_column_a_change_can_touch_is_compared():
    task, changed = a_task(), a_task()
    for name in TASK_COLUMNS:  # each column alone, changed to something else
        value = getattr(task, name)
        setattr(changed, name, _other(name, value))
        assert set(changed_columns(changed, snapshot(task), snapshot(changed))) == {name}, name
        setattr(changed, name, value)


def _other(name: str, value):
    if name == "problems":
        return ["x"]
    if name == "state":
        return TaskState.APPROVED
    if isinstance(value, bool):
        return not value
    if isinstance(value, date) or value is None:
        return date(2027, 1, 4)
    return value + 1 if isinstance(value, int) else f"{value}x"
