"""Small helpers every JSON endpoint uses: reading bodies and ids, and mapping rule errors."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from aiohttp import web

from onething.domain.calendar import CalendarError
from onething.domain.case import CaseRuleError
from onething.domain.states import STATE_NAMES, IllegalTransition
from onething.services.case_store import ConcurrentUpdate
from onething.services.workflow import CaseNotFound
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


def iso_date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError("invalid_field", f"字段 {field} 应为日期，如 2026-03-01。", status=422,
                       details={"field": field}) from None


async def run_rule(coroutine):
    """Await a workflow call, turning what the rules refuse into errors people can read."""
    try:
        return await coroutine
    except CaseNotFound:
        raise web.HTTPNotFound() from None
    except IllegalTransition as exc:
        raise ApiError("illegal_transition", f"办件当前为“{STATE_NAMES[exc.state]}”状态，不能进行此操作。",
                       status=409, details={"state": exc.state.value, "action": exc.action}) from None
    except CaseRuleError as exc:
        raise ApiError(exc.code, str(exc), status=422, details=exc.details or None) from None
    except CalendarError:
        log.error("working-day calendar does not cover this date: add the next year's schedule", exc_info=True)
        raise ApiError("calendar_missing", "工作日历尚未更新，暂时无法计算办理期限，请联系系统管理员。", status=503) from None
    except ConcurrentUpdate:
        raise ApiError("conflict", "办件刚被他人处理，请刷新后重试。", status=409) from None
