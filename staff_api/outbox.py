"""The notification outbox for admins, and the WeChat codes clerks print (``/staff/api/v1``).

An operator at 2 a.m. needs to see what did not go out and why: each notification's state,
channel, attempts and last error, with counts per state; and to send again what failed once
the cause is fixed.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain import scenes
from onething.domain.refusals import Refused
from onething.keys import settings_key, wechat_key
from onething.services import outbox, scene_codes, staff_cases
from onething.web.errors import message_of
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import ID, PAGE, enum
from onething.web.validation import query
from storage.wechat import WeChatError
from .shapes import NOTIFICATION, OUTBOX, SCENE_CODE


async def notifications(request: web.Request) -> web.Response:
    asked = query(request)
    return json_response(await outbox.page(asked.get("state"), asked.get("application"), asked["page"]))


async def retry(request: web.Request) -> web.Response:
    return json_response(await outbox.retry(int(request.match_info["id"])))


async def wechat_code(request: web.Request) -> web.Response:
    """A code for the acceptance receipt: scanning it follows this case on the official account."""
    application_id = int(request.match_info["id"])
    if not await staff_cases.exists(application_id):
        raise web.HTTPNotFound()
    return await scene_code(request, scenes.APPLICATION, str(application_id))


async def scene_code(request: web.Request, kind: str, ref: str) -> web.Response:
    try:
        code = await scene_codes.make(request.config_dict[wechat_key], request.config_dict[settings_key].secret_key,
                                      kind, ref)
    except WeChatError as exc:
        # the code clients know for WeChat being away; the words say what could not be made
        said = message_of(request, Refused("scene_code_unavailable"))
        raise Refused("wechat_unavailable", said, status=503, details={"errcode": exc.errcode}) from None
    return json_response(code)


ROUTES = [
    Route("GET", "/notifications", notifications, "通知发件箱：每条通知的状态、渠道、尝试次数、最近错误及各状态数量（每页 50 条）",
          query={"state": enum(outbox.STATES, "状态"), "application": {**ID, "title": "办件"},
                 "page": PAGE}, roles=("admin", "supervisor"), response=OUTBOX),
    Route("POST", "/notifications/{id}/retry", retry, "重发发送失败、无法送达或状态不明的通知", roles=("admin",),
          response=NOTIFICATION),
    Route("POST", "/applications/{id}/wechat-code", wechat_code, "受理回执上的公众号二维码：扫码即关注本办件进度",
          roles=("clerk", "supervisor", "admin"), response=SCENE_CODE),
]
