"""Carriers' signed tracking updates (``POST /courier/api/v1/carriers/{code}/updates``).

Contract (also in the README): headers ``X-Onething-Timestamp`` (Unix seconds) and
``X-Onething-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` under the carrier's
secret from ``ONETHING_CARRIER_WEBHOOK_SECRETS``; the body at most 16 KiB. A carrier without a
secret has no endpoint (404). A request seen before (the same timestamp and body, however its
signature header is spelled) is answered ``duplicate`` and records nothing.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from onething.domain.carrier_updates import MAX_BODY_BYTES, MAX_SKEW_SECONDS, check, fingerprint
from onething.domain.refusals import Refused
from onething.keys import redis_key, settings_key, workflow_key
from onething.services import tracking_updates
from onething.web.http import json_response
from storage.redis import claim_once

log = logging.getLogger("onething.carriers")


async def _body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise Refused("payload_too_large", status=413)
    body = bytearray()
    async for chunk in request.content.iter_chunked(4096):
        body += chunk
        if len(body) > limit:
            raise Refused("payload_too_large", status=413)
    return bytes(body)


async def update(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    secret = request.config_dict[settings_key].webhook_secret(code)
    if secret is None:
        raise web.HTTPNotFound()
    body = await _body(request)
    timestamp = request.headers.get("X-Onething-Timestamp", "")
    problem = check(secret, timestamp, body, request.headers.get("X-Onething-Signature", ""), time.time())
    if problem:
        log.warning("carrier update refused", extra={"carrier": code, "reason": problem})
        raise Refused(problem, status=401)
    redis = request.config_dict[redis_key]
    # Remembered for longer than a timestamp stays fresh: within it, the same request twice is a replay.
    seen = f"carrier:update:{code}:{fingerprint(timestamp, body)}"
    if not await claim_once(redis, seen, 2 * MAX_SKEW_SECONDS + 60):
        return json_response({"recorded": False, "duplicate": True})
    try:
        return await _apply(request, code, body)
    except BaseException:
        await redis.delete(seen)  # not applied: the carrier's retry must be heard
        raise


async def _apply(request: web.Request, code: str, body: bytes) -> web.Response:
    row, recorded = await tracking_updates.record(request.config_dict[workflow_key], code, body)
    return json_response({"recorded": recorded, "duplicate": False, "state": row.state})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/{code}/updates", update)
    return app
