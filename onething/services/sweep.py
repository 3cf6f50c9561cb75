"""The deadline sweep: the worker's minute job applying the law's clock to the cases due.

Each save dates the case's next check (onething.domain.due_work) in an indexed column, so a
sweep reads only the cases a rule may act on today, not every open case; the most overdue go
first. They are swept a batch at a time: the batch's cases are loaded in three queries, ticked,
and whatever changed is written in one transaction, each case's row and tasks under its version
check, and all their audit events, counted facts, staff notices and notifications in one INSERT
of each kind. A day's first sweep meets thousands of cases due; one transaction per case spent
most of the time on round trips and commits.

A case someone saved meanwhile fails its version check and writes nothing: it goes through the
workflow's own ``act`` afterwards, on fresh state (every rule is idempotent). A batch that fails
as a whole goes case by case the same way, so one bad case never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from tortoise.transactions import in_transaction

from onething.domain.calendar import local_date
from onething.domain.clock import tick
from storage.models import Application

from . import case_store
from .case_store import SYSTEM

if TYPE_CHECKING:
    from .workflow import Workflow

log = logging.getLogger("onething.workflow")
BATCH = 100  # cases per transaction: row locks held for a fraction of a second
# batches at once: one is worked out while the other's statements run (the sweep otherwise waits
# on the database a third of its time); well below the pool, so requests still get connections
LANES = 2
SWEEP_SECONDS = 8.0  # no batch is started later in a sweep: the rest wait for the next minute's


async def sweep(flow: Workflow, open_states: list[str], budget: float = SWEEP_SECONDS) -> int:
    """Sweep the cases due today; return how many changed. No batch is started after ``budget``
    seconds: what is left (a first sweep after days without one) is the next minute's."""
    today, started = local_date(flow.clock()), time.monotonic()
    ids = await Application.filter(state__in=open_states, next_check_on__lte=today).order_by(
        "next_check_on", "id").values_list("id", flat=True)
    batches, changed = iter(range(0, len(ids), BATCH)), 0

    async def lane() -> None:
        nonlocal changed
        for first in batches:  # shared: each batch is taken by one lane
            if time.monotonic() - started > budget:
                return
            done = await _batch(flow, ids[first:first + BATCH])
            changed += done  # not `changed += await ...`: that reads the total before the other lane adds to it

    await asyncio.gather(*(lane() for _ in range(LANES)))
    return changed


async def _batch(flow: Workflow, ids: list[int]) -> int:
    await flow.calendars.fresh()
    calendar, supervision = flow.calendar, flow.supervision
    try:
        now = flow.clock()
        changes, unchanged = [], []
        for loaded in await case_store.load_many(flow.catalog, ids):
            if tick(loaded.case, now, calendar, supervision.rules):
                changes.append(case_store.prepare(loaded, SYSTEM, now, calendar=calendar, supervision=supervision,
                                                  ticked=True))
            else:
                unchanged.append(loaded)
        async with in_transaction() as conn:
            written = await case_store.write(changes, conn)  # rows locked in id order, as by every batch
            await case_store.write_effects(written, conn, supervision)
            for loaded in sorted(unchanged, key=lambda loaded: loaded.row.id):
                await case_store.replan(loaded, now, calendar, supervision, conn)
    except Exception:  # one bad case must not stop the others: this batch goes one case at a time
        log.exception("deadline sweep batch failed: sweeping its cases one by one", extra={"cases": len(ids)})
        return await _one_by_one(flow, ids)
    for change in written:
        case_store.settle(change)
        if flow.on_change is not None:
            await flow.on_change(change.loaded.row.id)
    lost = [change.loaded.row.id for change in changes if not change.loaded.saved]
    return len(written) + await _one_by_one(flow, lost)


async def _one_by_one(flow: Workflow, ids: list[int]) -> int:
    changed = 0
    for application_id in ids:
        try:
            loaded = await flow.act(application_id, SYSTEM, lambda case, now: tick(
                case, now, flow.calendar, flow.supervision.rules), ticked=True)
            changed += loaded.saved
        except Exception:
            log.exception("deadline sweep failed for a case", extra={"application_id": application_id})
    return changed
