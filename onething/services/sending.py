"""The claim cycle of every row the worker sends to WeChat: notifications and managers' messages.

A row goes pending -> sending (claimed by one run, under that run's token, so two workers never
send the same one) -> attempting (marked just before its WeChat call starts) -> its outcome.
"attempting" lasts while the call is under way only: once WeChat has said no (or "busy, later")
the row is back to "sending", as nothing of it is in flight any more. The run renews its claims
while it works, so a claim outlives its worker by one lease only:

- a row left "sending" past its lease is not out there: it goes back to pending and is sent by
  whoever runs next;
- a row left "attempting" past its lease belonged to a call that may have reached the user: it
  becomes "unknown" for a person to look at rather than being sent twice. That is at most the
  few calls a worker makes at once.

A row whose handling failed otherwise (the database, a template) is retried, never "unknown",
unless its call was in flight: ``Claims.fate`` says which.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta
from typing import Callable

from tortoise.expressions import Q

log = logging.getLogger("onething.sending")
INTERRUPTED = "发送中断，无法确认是否送达，未重发"
LEASE_SECONDS = 20.0  # how long a dead worker's claims hold; ONETHING_WORKER_LEASE sets it


class Claims:
    """One run's hold on the rows it sends: ``async with`` renews it, and lets go on the way out."""

    def __init__(self, model, clock: Callable[[], datetime], lease: float = LEASE_SECONDS):
        self.model, self.clock, self.lease = model, clock, timedelta(seconds=lease)
        self.token = uuid.uuid4().hex
        self.in_flight: set[int] = set()  # rows whose WeChat call has started and not answered yet
        self.taken: dict[int, dict] = {}  # rows WeChat took: what they must be recorded as
        self._renewer: asyncio.Task | None = None

    async def __aenter__(self) -> "Claims":
        self._renewer = asyncio.create_task(self._renew())
        return self

    async def __aexit__(self, *exc) -> None:
        self._renewer.cancel()
        await asyncio.gather(self._renewer, return_exceptions=True)
        # cut short (an error, a cancelled job): what was never offered to WeChat is free again now
        # (and what WeChat had answered when recording that failed); not a call that may have gone out
        held = self.in_flight | set(self.taken)
        idle = self.mine().filter(state__in=("sending", "attempting"))
        try:
            await (idle.exclude(id__in=held) if held else idle).update(state="pending", claimed_by=None, claimed_at=None)
        except Exception:  # the database is away: the claims lapse with the lease instead
            log.warning("could not release the claims of a send run", exc_info=True)

    def mine(self):
        return self.model.filter(claimed_by=self.token)

    async def due(self, limit: int, error_field: str) -> list[int]:
        """Take back the claims of dead runs; the ids of what is due now, oldest first."""
        now = self.clock()
        lapsed = self.model.filter(claimed_at__lt=now - self.lease)
        await lapsed.filter(state="sending").update(state="pending", claimed_by=None, claimed_at=None)
        # claimed_by stays: should its run be alive after all, it may still record what happened
        await lapsed.filter(state="attempting").update(state="unknown", **{error_field: INTERRUPTED})
        return await (self.model.filter(state="pending")
                      .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                      .order_by("id").limit(limit).values_list("id", flat=True))

    async def claim(self, row_id: int) -> bool:
        """True when this run has the row; False when another took it first."""
        return await self.model.filter(id=row_id, state="pending").update(
            state="sending", claimed_by=self.token, claimed_at=self.clock()) == 1

    async def attempting(self, row_id: int) -> bool:
        """Say a WeChat call for the row starts now; False when the claim was lost (do not call)."""
        if await self.mine().filter(id=row_id, state__in=("sending", "attempting")).update(
                state="attempting", claimed_at=self.clock()) != 1:
            return False
        self.in_flight.add(row_id)
        return True

    async def answered(self, row_id: int, taken: dict | None = None) -> None:
        """WeChat answered the row's call for certain: it took the message (``taken``: what to record),
        or it refused it, which leaves the row claimed, not attempting (should the run die now, the
        row is simply sent again)."""
        self.in_flight.discard(row_id)
        if taken is not None:  # left "attempting" until recorded: a dead run's row must not go out twice
            self.taken[row_id] = taken
        else:
            await self.mine().filter(id=row_id, state="attempting").update(state="sending")

    def fate(self, row_id: int, error_field: str) -> dict | None:
        """How to record a row whose handling failed (not WeChat: the database, a template): what
        WeChat took it as, "unknown" while its call may be out, or None when nothing went out and
        it is to be retried."""
        if row_id in self.taken:
            return self.taken[row_id]
        return {"state": "unknown", error_field: INTERRUPTED} if row_id in self.in_flight else None

    async def finish(self, row_id: int, **values) -> None:
        """Record the outcome, unless the row is no longer ours (taken back and sent by another)."""
        await self.mine().filter(id=row_id).update(claimed_by=None, claimed_at=None, **values)
        self.in_flight.discard(row_id)
        self.taken.pop(row_id, None)

    async def _renew(self) -> None:
        pause = self.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(pause)
            try:
                await self.mine().filter(state__in=("sending", "attempting")).update(claimed_at=self.clock())
            except Exception:  # the database is away for a moment: the next renewal may get through
                log.warning("could not renew the claims of a send run", exc_info=True)
