"""When a case is expected to be done: the critical path of what remains.

Open items count with their due dates as they stand (moved by pauses already ended). A stage
not yet started counts with its promised working days from the end of the stages it waits
for, and never from before today: it cannot start in the past. Done items count for nothing.

An item past its due date still open counts from today (it cannot finish in the past); one
whose legal limit was extended (§42) counts with its extended date. A paused item counts with
its due date as it stands: how long a hearing or an owed material
will take is not known, and guessing would promise what nobody promised. When it resumes, its
due date moves by the paused days and the expected date with it (it is recomputed at every
save). An approved extension moves only the legal date, so it does not move this one.
"""

from __future__ import annotations

from datetime import date

from .calendar import WorkCalendar
from .case import Case
from .states import State, TaskState

OPEN = (TaskState.IN_REVIEW, TaskState.PAUSED)


def expected_completion(case: Case, today: date, calendar: WorkCalendar) -> date | None:
    """None unless the case is in review with something left to decide."""
    if case.state != State.IN_REVIEW:
        return None
    finish: dict[str, date] = {}
    remaining: list[date] = []
    for stage in case.thing.stages:  # in dependency order
        tasks = [t for t in case.tasks if t.stage == stage.code]
        start = max([today, *(finish[dep] for dep in stage.after if dep in finish)])
        ends = [max(_finish(t), today) for t in tasks if t.state in OPEN and t.due_on]
        ends += [calendar.add_working_days(start, t.limit_days) for t in tasks if t.state == TaskState.WAITING]
        remaining += ends
        finish[stage.code] = max(ends, default=today)  # a stage already done holds nothing up
    return max(remaining, default=None)


def as_told(state: State, stored: date | None) -> date | None:
    """The expected date people are told: the one stored with the case's last save, and only while
    it is in review (before intake nothing is promised; once decided, the results are the news)."""
    return stored if state == State.IN_REVIEW else None


def _finish(task) -> date:
    # An approved extension (§42) is the reviewer saying the promised date will not hold.
    if task.extension_state == "approved" and task.legal_due_on:
        return max(task.due_on, task.legal_due_on)
    return task.due_on
