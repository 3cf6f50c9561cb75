"""Supervision (``/staff/api/v1``): follow-up of bad ratings (好差评: closed within 15 working days),
and refusals overturned on review, in court or on a complaint."""

from __future__ import annotations

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain import overturns
from onething.keys import templates_key, workflow_key
from onething.services import follow_ups, overturns as overturning
from onething.web.http import json_response
from onething.web.provisional import dated_json
from onething.web.routes import Route
from onething.web.schemas import CODE, enum, items_of, obj, required_text, text
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


async def overturn(request: web.Request) -> web.Response:
    asked = body(request)
    recorded = await overturning.overturn(
        request.config_dict[workflow_key], request.config_dict[templates_key], int(request.match_info["id"]),
        asked.get("item"), asked["basis"], asked.get("note", "").strip(), actor(staff(request)))
    return json_response(recorded)


OVERTURN = obj({"item": {**CODE, "type": ["string", "null"], "title": "事项（不填或 null：整件的不予受理决定）"},
                "basis": enum(overturns.BASES, "撤销依据：review 行政复议、litigation 行政诉讼、complaint 投诉核查"),
                "note": text(500, "决定书文号或说明")}, required=("basis",))
OVERTURNED = obj({"application_id": {"type": "integer"}, "item": {"type": ["string", "null"]},
                  "basis": {"type": "string"}, "department": {"type": "string"}},
                 required=("application_id", "item", "basis", "department"))

ROUTES = [
    Route("GET", "/follow-ups", open_follow_ups, "差评回访：未办结的（期限近的在前，标明是否逾期）",
          roles=("supervisor", "admin"), response=items_of(FOLLOW_UP)),
    Route("POST", "/follow-ups/{id}/close", close_follow_up, "办结差评回访（须写明回访情况）",
          obj({"note": required_text(1000, "回访情况")}, required=("note",)), roles=("supervisor",), response=CLOSED),
    Route("POST", "/applications/{id}/overturn", overturn,
          "记录被撤销的不予受理、不予许可决定（计入效能排行榜的质量）", OVERTURN, roles=("supervisor",),
          response=OVERTURNED),
]
