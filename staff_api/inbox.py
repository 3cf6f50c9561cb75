"""The back-office inbox (``/staff/api/v1/inbox``): notices for me and my role's shared ones, unread first."""

from __future__ import annotations

from aiohttp import web

from onething.keys import workflow_key
from onething.services import staff_inbox
from onething.services.manager_views import INBOX, NOTICE
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import obj
from .session import staff


async def inbox(request: web.Request) -> web.Response:
    rows, unread = await staff_inbox.inbox(staff(request))
    return json_response({"items": [staff_inbox.notice_json(r) for r in rows], "unread": unread})


async def read(request: web.Request) -> web.Response:
    now = request.config_dict[workflow_key].clock()
    row = await staff_inbox.mark_read(staff(request), int(request.match_info["id"]), now)
    if row is None:
        raise web.HTTPNotFound()  # someone else's notice does not exist for this person
    return json_response(staff_inbox.notice_json(row))


ROUTES = [
    Route("GET", "/inbox", inbox, "工作人员待办消息（升级、指派等），未读在前", response=INBOX),
    Route("POST", "/inbox/{id}/read", read, "标记为已读", obj({}), response=NOTICE),
]
