"""Request ids and one structured log line per request (path only: queries may carry tokens)."""

from __future__ import annotations

import logging
import re
import time

from aiohttp import web

from onething import tokens
from onething.domain.refusals import Refused
from onething.logs import request_id_var
from onething.web import security_headers
from onething.web.errors import error_for

log = logging.getLogger("onething.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# A delivery code's token in a path is a courier's key to a shipment: logs show only that one was there.
_TOKEN_IN_PATH = re.compile(r"^(/courier/(?:s|api/v1/shipments)/)[^/]+")
# Header bytes that are not UTF-8 reach Python as lone surrogates; nothing downstream can encode them.
_UNREADABLE = re.compile("[\x00\ud800-\udfff]")
_CHECKED_HEADERS = ("Authorization", "Cookie", "X-Onething-Signature", "X-Onething-Timestamp")


@web.middleware
async def edge_middleware(request: web.Request, handler) -> web.StreamResponse:
    """The app's one middleware: the request id and its access line, the CSP nonce's request
    (:mod:`.security_headers`), the error shape (:func:`~onething.web.errors.error_for`) and the
    credential headers' hygiene (:func:`_check_headers`), in that order. Each layer of aiohttp's
    middleware chain costs a coroutine and a call on every request; as four layers they cost the
    bot about 15 us of CPU each answer, for work that costs a few."""
    request_id = _request_id(request)
    token = request_id_var.set(request_id)
    page = security_headers.serving(request)
    started = time.perf_counter()
    status = 500
    try:
        try:
            _check_headers(request)
            response = await handler(request)
        except Exception as exc:
            response = error_for(request, exc)  # raises a redirect again
        status = response.status
        if not response.prepared:
            response.headers["X-Request-Id"] = request_id
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        if log.isEnabledFor(logging.INFO):
            _access_line(request, status, started)
        security_headers.served(page)
        request_id_var.reset(token)


def _request_id(request: web.Request) -> str:
    incoming = request.headers.get("X-Request-Id", "")
    return incoming if _VALID_ID.match(incoming) else tokens.token_hex(16)  # a uuid4's hex, without the UUID


def _access_line(request: web.Request, status: int, started: float) -> None:
    log.info("request", extra={
        "method": request.method,
        "path": _TOKEN_IN_PATH.sub(r"\1{token}", request.path),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    })


def _check_headers(request: web.Request) -> None:
    headers = request.headers
    for name in _CHECKED_HEADERS:
        if name in headers and _UNREADABLE.search(headers[name]):
            raise Refused("invalid_header", status=400, details={"header": name})
    if _UNREADABLE.search(request.query_string):
        raise Refused("bad_request", status=400)
