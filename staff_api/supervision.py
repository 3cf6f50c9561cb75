"""Supervision (``/staff/api/v1``): follow-up of bad ratings (好差评: closed within 15 working days)."""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.keys import workflow_key
from onething.services import follow_ups
from onething.web.http import json_response
from onething.web.provisional import dated_json
from onething.web.routes import Route
from onething.web.schemas import items_of, obj, required_text
from onething.web.validation import body
from .session import actor, staff
from .shapes import CLOSED, FOLLOW_UP


async def open_follow_ups(request: web.Request) -> web.Response:
    """Open follow-ups of ratings 1-2, nearest due first, each saying whether it is overdue."""
    today = local_date(request.config_dict[workflow_key].clock())
    return dated_json(request, {"items": await follow_ups.open_ones(today)})


async def close_follow_up(request: web.Request) -> web.Response:
    closed = await follow_ups.close(request.config_dict[workflow_key], int(request.match_info["id"]),
                                    actor(staff(request)), body(request)["note"].strip())
    return json_response(closed)


ROUTES = [
    Route("GET", "/follow-ups", open_follow_ups, "差评回访：未办结的（期限近的在前，标明是否逾期）",
          roles=("supervisor", "admin"), response=items_of(FOLLOW_UP)),
    Route("POST", "/follow-ups/{id}/close", close_follow_up, "办结差评回访（须写明回访情况）",
          obj({"note": required_text(1000, "回访情况")}, required=("note",)), roles=("supervisor",), response=CLOSED),
]
