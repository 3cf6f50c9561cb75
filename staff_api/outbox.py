"""The notification outbox for admins, and the WeChat codes clerks print (``/staff/api/v1``).

An operator at 2 a.m. needs to see what did not go out and why: each notification's state,
channel, attempts and last error, with counts per state; and to send again what failed once
the cause is fixed.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain import scenes
from onething.keys import settings_key, wechat_key
from onething.services import scene_codes
from onething.web.errors import ApiError
from onething.web.http import int_id, json_response
from .session import staff
from storage.models import Application, Notification
from storage.wechat import WeChatError

PAGE_SIZE = 50
STATES = ("pending", "sending", "attempting", "sent", "failed", "undeliverable", "unknown", "internal")
RETRYABLE = ("failed", "undeliverable", "unknown")
SECRET_FIELDS = {"pickup_code"}  # the recipient's alone: staff never need to read it back


def _json(row: Notification) -> dict:
    return {
        "id": row.id, "application_id": row.application_id,
        "number": row.application.number if row.application else None, "kind": row.kind,
        "payload": {k: ("******" if k in SECRET_FIELDS else v) for k, v in row.payload.items()},
        "state": row.state, "channel": row.channel, "failed_channels": row.failed_channels,
        "attempts": row.attempts, "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
        "created_at": row.created_at.isoformat(), "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


async def notifications(request: web.Request) -> web.Response:
    staff(request, "admin", "supervisor")
    query = Notification.all()
    state = request.query.get("state")
    if state:
        if state not in STATES:
            raise ApiError("invalid_state", "状态取值有误。", status=422, details={"allowed": list(STATES)})
        query = query.filter(state=state)
    if request.query.get("application", "").isdigit():
        query = query.filter(application_id=int(request.query["application"]))
    page = max(int(request.query["page"]), 1) if request.query.get("page", "").isdigit() else 1
    rows = await query.order_by("-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE).prefetch_related("application")
    counts = {s: await Notification.filter(state=s).count() for s in STATES}
    return json_response({"items": [_json(r) for r in rows], "page": page, "counts": counts})


async def retry(request: web.Request) -> web.Response:
    staff(request, "admin")
    changed = await Notification.filter(id=int_id(request), state__in=RETRYABLE).update(
        state="pending", attempts=0, failed_channels=[], next_attempt_at=None, last_error="", claimed_by=None)
    if not changed:
        if not await Notification.exists(id=int_id(request)):
            raise web.HTTPNotFound()
        raise ApiError("not_retryable", "只有发送失败、无法送达或状态不明的通知可以重发。", status=409)
    return json_response(_json(await Notification.get(id=int_id(request)).prefetch_related("application")))


async def wechat_code(request: web.Request) -> web.Response:
    """A code for the acceptance receipt: scanning it follows this case on the official account."""
    staff(request, "clerk", "supervisor", "admin")
    application = await Application.get_or_none(id=int_id(request))
    if application is None:
        raise web.HTTPNotFound()
    return await scene_code(request, scenes.APPLICATION, str(application.id))


async def scene_code(request: web.Request, kind: str, ref: str) -> web.Response:
    try:
        code = await scene_codes.make(request.config_dict[wechat_key], request.config_dict[settings_key].secret_key,
                                      kind, ref)
    except WeChatError as exc:
        raise ApiError("wechat_unavailable", "暂时无法生成公众号二维码，请稍后再试。", status=503,
                       details={"errcode": exc.errcode}) from None
    return json_response(code)


def setup(app: web.Application) -> None:
    app.router.add_get("/notifications", notifications)
    app.router.add_post("/notifications/{id}/retry", retry)
    app.router.add_post("/applications/{id}/wechat-code", wechat_code)
