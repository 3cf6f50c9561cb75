"""The back-office inbox (``/staff/api/v1/inbox``): notices for me and my role's shared ones, unread first."""

from __future__ import annotations

from aiohttp import web

from onething.keys import workflow_key
from onething.services import staff_inbox
from onething.web.http import int_id
from onething.web.staff_session import staff


async def inbox(request: web.Request) -> web.Response:
    rows, unread = await staff_inbox.inbox(staff(request))
    return web.json_response({"items": [staff_inbox.notice_json(r) for r in rows], "unread": unread})


async def read(request: web.Request) -> web.Response:
    now = request.config_dict[workflow_key].clock()
    row = await staff_inbox.mark_read(staff(request), int_id(request), now)
    if row is None:
        raise web.HTTPNotFound()  # someone else's notice does not exist for this person
    return web.json_response(staff_inbox.notice_json(row))


def setup(app: web.Application) -> None:
    app.router.add_get("/inbox", inbox)
    app.router.add_post("/inbox/{id}/read", read)
