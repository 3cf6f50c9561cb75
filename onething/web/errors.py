"""One JSON error shape for every endpoint: ``{"error": {"code", "message", "details"}}``.

``message`` is Chinese, written for the citizen or clerk who sees it; ``code`` is for programs.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from onething.web import outages

log = logging.getLogger("onething.http")

_HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确。"),
    401: ("unauthorized", "请先登录。"),
    403: ("forbidden", "您没有权限进行此操作。"),
    404: ("not_found", "您访问的内容不存在。"),
    405: ("method_not_allowed", "不支持此操作方式。"),
    413: ("payload_too_large", "提交的内容过大。"),
    415: ("unsupported_media_type", "不支持的内容类型。"),
    429: ("too_many_requests", "操作过于频繁，请稍后再试。"),
}


class ApiError(Exception):
    """An error a user is meant to read; raised by handlers and services alike."""

    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None,
                 details: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(code)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.details = details or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, details: dict | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


@web.middleware
async def error_middleware(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = _HTTP_MESSAGES.get(exc.status, ("http_error", "请求无法处理。"))
        return error_response(exc.status, code, message, headers=_keep_headers(exc))
    except Exception as exc:
        if outages.unavailable(exc):
            # Redis or the database is away: it comes back without anyone acting, so say when to retry.
            # (no path here: the access line beside it has the path, with tokens masked)
            log.warning("backing service unavailable", extra={"error": outages.name(exc)})
            return error_response(503, "service_unavailable", "系统暂时无法处理请求，请稍后再试。",
                                  headers={"Retry-After": str(outages.RETRY_AFTER)})
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        return error_response(500, "internal_error", "系统繁忙，请稍后再试。如多次出现，请联系窗口工作人员。")


def _keep_headers(exc: web.HTTPException) -> dict[str, str]:
    return {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
