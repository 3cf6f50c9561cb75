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
from onething.keys import redis_key, settings_key, workflow_key
from onething.services import carriers, shipments
from onething.services.case_store import Actor
from onething.web.errors import ApiError
from onething.web.http import json_response, run_rule
from onething.web.shipment_errors import refused
from storage.models import Shipment as ShipmentRow
from storage.redis import claim_once

log = logging.getLogger("onething.carriers")


async def _body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError("payload_too_large", "跟踪信息过大（不超过16KB）。", status=413)
    body = bytearray()
    async for chunk in request.content.iter_chunked(4096):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError("payload_too_large", "跟踪信息过大（不超过16KB）。", status=413)
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
        raise ApiError(problem, "签名缺失、不正确或已过期。", status=401)
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
    try:
        tracking = carriers.gateway(code).parse_update(body)
    except carriers.BadUpdate as exc:
        raise ApiError("bad_update", "跟踪信息格式不正确。", status=422, details={"problem": str(exc)}) from None
    row = await ShipmentRow.filter(carrier=code, tracking_number=tracking.tracking_number).order_by("-id").first()
    if row is None:
        raise ApiError("unknown_tracking_number", "没有该运单号的邮件。", status=404)
    where = None
    if tracking.latitude is not None and tracking.longitude is not None:
        where = shipments.Location(tracking.latitude, tracking.longitude)
    with refused():
        row, recorded = await run_rule(shipments.scan(
            request.config_dict[workflow_key], row.id, Actor(f"carrier:{code}", "courier"), tracking.action,
            pickup_code=tracking.pickup_code, reason=tracking.reason, location=where))
    return json_response({"recorded": recorded, "duplicate": False, "state": row.state})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/{code}/updates", update)
    return app
