"""The notification outbox as the admins see it: what went out, what did not and why, and resending.

A notification's secret fields (the pickup code) are the recipient's alone: staff never read
them back.
"""

from __future__ import annotations

from onething.domain.refusals import Refused
from storage.models import Notification

PAGE_SIZE = 50
# delivered: an SMS whose provider's receipt says it reached the phone
STATES = ("pending", "sending", "attempting", "sent", "delivered", "failed", "undeliverable", "unknown", "internal")
RETRYABLE = ("failed", "undeliverable", "unknown")
SECRET_FIELDS = {"pickup_code"}


def notification_json(row: Notification) -> dict:
    """(with its application fetched)"""
    return {
        "id": row.id, "application_id": row.application_id,
        "number": row.application.number if row.application else None, "kind": row.kind,
        "payload": {k: ("******" if k in SECRET_FIELDS else v) for k, v in row.payload.items()},
        "state": row.state, "channel": row.channel, "failed_channels": row.failed_channels,
        "attempts": row.attempts, "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "created_at": row.created_at.isoformat(), "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


async def page(state: str | None, application_id: int | None, number: int) -> dict:
    """One page of notifications, newest first, with how many there are in each state."""
    query = Notification.all()
    if state:
        query = query.filter(state=state)
    if application_id is not None:
        query = query.filter(application_id=application_id)
    rows = await query.order_by("-id").offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE) \
        .prefetch_related("application")
    counts = {s: await Notification.filter(state=s).count() for s in STATES}
    return {"items": [notification_json(r) for r in rows], "page": number, "counts": counts}


async def retry(notification_id: int) -> dict:
    """Send again what failed, once its cause is fixed; what went out (or may have) is never resent."""
    changed = await Notification.filter(id=notification_id, state__in=RETRYABLE).update(
        state="pending", attempts=0, failed_channels=[], next_attempt_at=None, last_error="", claimed_by=None)
    if not changed:
        if not await Notification.exists(id=notification_id):
            raise Refused("not_found", status=404)
        raise Refused("not_retryable", status=409)
    return notification_json(await Notification.get(id=notification_id).prefetch_related("application"))
