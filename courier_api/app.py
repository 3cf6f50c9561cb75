"""Couriers (``/courier``): the page the label's QR code opens, and the same as JSON for courier apps.

Thin: who is calling, which shipment the scanned code names, then the shipment services.
"""

from __future__ import annotations

import logging

from aiohttp import web

from onething.keys import redis_key, workflow_key
from onething.services import couriers, shipments
from onething.services.staff import StaffSession, close_session
from . import pages as courier_pages
from .access import courier_actor, find_shipment, location, login_allowed, signed_in_from_here, view_of
from onething.web.errors import ApiError
from onething.web.http import json_response, read_json, run_rule, text
from onething.web.shipment_errors import refused

log = logging.getLogger("onething.courier")
ACTIONS = {"pickup": "pickup", "out-for-delivery": "out_for_delivery", "deliver": "deliver", "fail": "fail",
           "return": "return"}


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


async def _session(request: web.Request) -> StaffSession:
    session = await couriers.find_session(request.config_dict[redis_key], _bearer(request))
    if session is None:
        raise ApiError("unauthorized", "请先登录。", status=401, headers={"WWW-Authenticate": "Bearer"})
    return session


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    username = text(body, "username", max_length=64)
    wait = await login_allowed(request, username)
    if wait:
        raise ApiError("too_many_attempts", "登录尝试过多，请稍后再试。", status=429, headers={"Retry-After": str(wait)})
    signed_in = await couriers.login(request.config_dict[redis_key], username, text(body, "password", max_length=256))
    if signed_in is None:
        log.info("courier login refused")
        raise ApiError("bad_credentials", "用户名或密码不正确。", status=401)
    await signed_in_from_here(request, username)
    token, user = signed_in
    return json_response({"token": token, "expires_in": couriers.SESSION_TTL,
                              "user": {"username": user.username, "carrier": user.carrier}})


async def logout(request: web.Request) -> web.Response:
    await _session(request)
    await close_session(request.config_dict[redis_key], _bearer(request))
    return json_response({"ok": True})


async def shipment(request: web.Request) -> web.Response:
    row = await find_shipment(request, await _session(request))
    return json_response(await view_of(row))


async def act(request: web.Request) -> web.Response:
    action = ACTIONS.get(request.match_info["action"])
    if action is None:
        raise web.HTTPNotFound()
    session = await _session(request)
    row = await find_shipment(request, session)
    body = await read_json(request)
    where = body.get("location") if isinstance(body.get("location"), dict) else {}
    with refused():
        row, recorded = await run_rule(shipments.scan(
            request.config_dict[workflow_key], row.id, courier_actor(session), action,
            pickup_code=text(body, "pickup_code", required=False, max_length=16),
            reason=text(body, "reason", required=False, max_length=200),
            location=location(where.get("latitude"), where.get("longitude"))))
    return json_response({"recorded": recorded, "shipment": await view_of(row)})


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_post("/api/v1/auth/login", login)
    app.router.add_post("/api/v1/auth/logout", logout)
    app.router.add_get("/api/v1/shipments/{token}", shipment)
    app.router.add_post("/api/v1/shipments/{token}/{action}", act)
    courier_pages.setup(app)
    return app
