"""Small helpers every JSON endpoint uses: reading bodies and ids, and awaiting the rules."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from onething.domain.calendar import UnknownYear
from onething.domain.refusals import Refused, speak_with
from onething.messages import shared_messages
from onething.web.errors import ApiError
from onething.web.validation import BODY

log = logging.getLogger("onething.http")


def json_response(data: Any, **kwargs) -> web.Response:
    """JSON in UTF-8 as written, Chinese included (not ``\\uXXXX``), like the error bodies."""
    return web.json_response(data, dumps=_dumps, **kwargs)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def read_json(request: web.Request) -> dict[str, Any]:
    """The body its route declared and the request layer checked; else read here (legacy routes)."""
    if BODY in request:
        return request[BODY]
    if not request.can_read_body:
        return {}
    try:
        body = await request.json(loads=json.loads)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: thousands of nested brackets
        raise ApiError("invalid_json", "提交的内容不是有效的 JSON。") from None
    if not isinstance(body, dict):
        raise ApiError("invalid_json", "提交的内容应为 JSON 对象。")
    return body


def int_id(request: web.Request, name: str = "id") -> int:
    try:
        value = int(request.match_info[name])
    except ValueError:
        raise web.HTTPNotFound() from None
    if not 0 < value < 2**31:
        raise web.HTTPNotFound()
    return value


def text(body: dict, key: str, *, required: bool = True, max_length: int = 2000) -> str:
    value = body.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length:
        raise ApiError("invalid_field", f"字段 {key} 必须填写，且不超过 {max_length} 个字。",
                       status=422, details={"field": key})
    return value.strip()


def integer(body: dict, key: str, message: str) -> int:
    """A whole number from a JSON body (``true`` is not 1 here)."""
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApiError("invalid_field", message, status=422, details={"field": key})
    return value


async def run_rule(coroutine):
    """Await a workflow call. What the rules refuse is a ``Refused`` with its own status, which
    the error middleware answers; kept so that handlers wrapping their calls in it still work."""
    try:
        return await coroutine
    except UnknownYear:
        log.error("working-day calendar does not cover this date: add the next year's schedule", exc_info=True)
        raise


def _words(refused: Refused) -> str:
    messages = shared_messages()
    return messages.render(refused.code, **refused.details) if refused.code in messages else refused.code


# A refusal read as text outside the middleware (a courier's page, an older handler's str(exc))
# says the catalogue's words too.
speak_with(_words)
