"""The claim cycle of every row the worker sends to WeChat: notifications and managers' messages.

A row is claimed by a conditional update (pending -> sending) before anything is sent, so two
workers never send the same one. One that stays "sending" past its lease belonged to a sender
that died mid-call: it may have reached the user, so it becomes "unknown" for a person to look
at rather than being sent again.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from onething.domain.notifications import SENDING_LEASE

INTERRUPTED = "发送中断，无法确认是否送达，未重发"


async def due(model, now: datetime, limit: int, error_field: str) -> list[int]:
    """Mark the interrupted sends unknown; the ids of what is due now, oldest first."""
    await model.filter(state="sending", claimed_at__lt=now - SENDING_LEASE).update(
        state="unknown", **{error_field: INTERRUPTED})
    return await (model.filter(state="pending")
                  .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                  .order_by("id").limit(limit).values_list("id", flat=True))


async def claim(model, row_id: int, now: datetime) -> bool:
    """True when this worker has the row; False when another took it first."""
    return await model.filter(id=row_id, state="pending").update(state="sending", claimed_at=now) == 1
