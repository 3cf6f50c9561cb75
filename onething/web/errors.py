"""One JSON error shape for every endpoint: ``{"error": {"code", "message", "details"}}``.

``message`` is Chinese, written for the citizen or clerk who sees it; ``code`` is for programs.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from onething.domain.refusals import Refused
from onething.keys import messages_key
from onething.messages import Messages, shared_messages
from onething.web import outages

log = logging.getLogger("onething.http")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type",
               429: "too_many_requests"}


class ApiError(Refused):
    """A refusal raised at the edge; its message may be given here or come from the catalogue."""

    status = 400


def message_of(request: web.Request, exc: Refused) -> str:
    """The Chinese message of a refusal: its own, or the catalogue's entry for its code."""
    if exc.message:
        return exc.message
    messages = _messages(request)
    details = dict(exc.details)
    if isinstance(details.get("fields"), list) and all(isinstance(f, dict) for f in details["fields"]):
        details["fields"] = [{**f, "message": f.get("message") or messages.render(f"field.{f['problem']}", **f)}
                             for f in details["fields"]]
        exc.details = details
    return messages.render(exc.code, **details)


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
    except Exception as exc:
        return error_for(request, exc)


def error_for(request: web.Request, exc: Exception) -> web.Response:
    """The error response for what a handler raised; a redirect (an HTTPException below 400) is
    raised again. Called from the ``except`` that caught it."""
    if isinstance(exc, Refused):
        message = message_of(request, exc)
        return error_response(exc.status, exc.code, message, exc.details, exc.headers)
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            raise exc
        code = _HTTP_CODES.get(exc.status, "http_error")
        message = _messages(request).render(code)
        return error_response(exc.status, code, message, headers=_keep_headers(exc))
    if outages.unavailable(exc):
        # Redis or the database is away: it comes back without anyone acting, so say when to retry.
        # (no path here: the access line beside it has the path, with tokens masked)
        log.warning("backing service unavailable", extra={"error": outages.name(exc)})
        return error_response(503, "service_unavailable", _render(request, "service_unavailable"),
                              headers={"Retry-After": str(outages.RETRY_AFTER)})
    log.exception("unhandled error", extra={"path": request.path, "method": request.method})
    return error_response(500, "internal_error", _render(request, "internal_error"))


def _render(request: web.Request, code: str) -> str:
    return _messages(request).render(code)


def _messages(request: web.Request) -> Messages:
    # an app built without the core (a bare sub-app in a test) still speaks the catalogue's words
    return request.config_dict.get(messages_key) or shared_messages()



def _keep_headers(exc: web.HTTPException) -> dict[str, str]:
    return {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
