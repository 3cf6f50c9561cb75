"""Couriers (``/courier``): the page the label's QR code opens, and the same as JSON for courier apps.

Thin: who is calling, which shipment the scanned code names, then the shipment services. The
JSON routes are declared like every other API's, so their inputs are checked before a handler
runs; couriers' apps get no OpenAPI document (there is one app, ours).
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.refusals import Refused
from onething.keys import redis_key, workflow_key
from onething.services import couriers, shipments
from onething.services.shipment_views import courier_view_of
from onething.services.staff import StaffSession, close_session
from onething.web.http import json_response
from onething.web.routes import Route, checked
from onething.web.schemas import OK, enum, obj, required_text, text
from onething.web.validation import body
from . import pages as courier_pages
from .access import courier_actor, find_shipment
from .access import login as courier_login

API = "/courier/api/v1"
COURIER = web.RequestKey("courier", StaffSession)
ACTIONS = {"pickup": "pickup", "out-for-delivery": "out_for_delivery", "deliver": "deliver", "fail": "fail",
           "return": "return"}


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


@web.middleware
async def courier_auth(request: web.Request, handler):
    """A courier app's bearer session, checked before anything it sent is read."""
    if request.path.startswith(f"{API}/") and request.path != f"{API}/auth/login":
        session = await couriers.find_session(request.config_dict[redis_key], _bearer(request))
        if session is None:
            raise Refused("unauthorized", status=401, headers={"WWW-Authenticate": "Bearer"})
        request[COURIER] = session
    return await handler(request)


async def login(request: web.Request) -> web.Response:
    given = body(request)
    token, user = await courier_login(request, given["username"].strip(), given["password"])
    return json_response({"token": token, "expires_in": couriers.SESSION_TTL,
                          "user": {"username": user.username, "carrier": user.carrier}})


async def logout(request: web.Request) -> web.Response:
    await close_session(request.config_dict[redis_key], _bearer(request))
    return json_response({"ok": True})


async def shipment(request: web.Request) -> web.Response:
    return json_response(await courier_view_of(await find_shipment(request, request[COURIER]),
                                               courier_actor(request[COURIER]), request.config_dict[workflow_key]))


async def act(request: web.Request) -> web.Response:
    session, given = request[COURIER], body(request)
    row = await find_shipment(request, session)
    where = given.get("location") or {}
    row, recorded = await shipments.scan(
        request.config_dict[workflow_key], row.id, courier_actor(session), ACTIONS[request.match_info["action"]],
        pickup_code=given.get("pickup_code", "").strip(), reason=given.get("reason", "").strip(),
        location=shipments.Location.of(where.get("latitude"), where.get("longitude")))
    # masked here: the app opens the shipment (GET) to see the phone, and that view is traced
    return json_response({"recorded": recorded, "shipment": await courier_view_of(row)})


LOGIN = obj({"username": required_text(64, "用户名"), "password": required_text(256, "密码")},
            required=("username", "password"), extra=True)
SCAN = obj({"pickup_code": text(16, "取件码"), "reason": text(200, "原因"),
            "location": {"type": ["object", "null"], "title": "位置"}}, extra=True)
ROUTES = [
    Route("POST", "/api/v1/auth/login", login, "快递员登录", LOGIN, public=True),
    Route("POST", "/api/v1/auth/logout", logout, "退出登录", response=OK),
    Route("GET", "/api/v1/shipments/{token}", shipment, "扫码查看邮件"),
    Route("POST", "/api/v1/shipments/{token}/{action}", act, "登记揽收、派送、签收、投递失败或退回", SCAN,
          params={"action": enum(ACTIONS)}),
]


def create_app() -> web.Application:
    app = web.Application(middlewares=[courier_auth])
    for route in ROUTES:
        app.router.add_route(route.method, route.path, checked(route))
    courier_pages.setup(app)
    return app
