"""Shipments in the back office (``/staff/api/v1``): clerks post results; the slip and its QR code.

Also where an admin opens courier accounts.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.shipment import DEFAULT_CARRIER, MAX_PIECES
from onething.keys import settings_key, templates_key, workflow_key
from onething.services import couriers, qr, shipments
from onething.services.shipment_views import delivery_url, of_case, shipment, staff_view_of
from onething.web.http import int_id, json_response
from onething.web.routes import Route
from onething.web.schemas import array, items_of, obj, required_text, text
from onething.web.validation import body
from .session import actor, staff

READ = ("clerk", "supervisor", "admin")


async def create(request: web.Request) -> web.Response:
    session, given = staff(request, "clerk"), body(request)
    row = await shipments.post(
        request.config_dict[workflow_key], int_id(request), actor(session), request.config_dict[settings_key].secret_key,
        carrier=given.get("carrier", "").strip() or DEFAULT_CARRIER, tracking_number=given["tracking_number"].strip(),
        pieces=[p["description"] for p in given["pieces"]])
    return json_response(await staff_view_of(row), status=201)


async def of_application(request: web.Request) -> web.Response:
    staff(request, *READ)
    return json_response({"items": await of_case(int_id(request))})


async def one(request: web.Request) -> web.Response:
    staff(request, *READ)
    return json_response(await staff_view_of(await shipment(int_id(request))))


async def slip(request: web.Request) -> web.Response:
    """The label to print: one A6 page per piece, each with the same QR code."""
    staff(request, *READ)
    row = await shipment(int_id(request))
    settings = request.config_dict[settings_key]
    html = request.config_dict[templates_key].get_template("shipment_slip.html.j2").render(
        shipment=await staff_view_of(row), qr_image=qr.svg_data_uri(delivery_url(settings.public_url, row,
                                                                                 settings.secret_key)))
    return web.Response(text=html, content_type="text/html")


async def qr_png(request: web.Request) -> web.Response:
    return web.Response(body=qr.png(await _url(request)), content_type="image/png",
                        headers={"Cache-Control": "private, no-store"})


async def qr_svg(request: web.Request) -> web.Response:
    return web.Response(body=qr.svg(await _url(request)), content_type="image/svg+xml",
                        headers={"Cache-Control": "private, no-store"})


async def create_courier(request: web.Request) -> web.Response:
    staff(request, "admin")
    given = body(request)
    user = await couriers.open_account(given["username"].strip(), given["carrier"].strip(), given["password"],
                                       given.get("display_name", "").strip())
    return json_response({"id": user.id, "username": user.username, "role": user.role, "carrier": user.carrier},
                         status=201)


async def _url(request: web.Request) -> str:
    staff(request, *READ)
    settings = request.config_dict[settings_key]
    return delivery_url(settings.public_url, await shipment(int_id(request)), settings.secret_key)


# The limits are the columns'; how many pieces, and which carrier, the shipment rules judge
# (their refusals name the field).
POST = obj({
    "carrier": text(16, "快递公司"), "tracking_number": required_text(32, "运单号"),
    "pieces": array(obj({"description": text(200, "物品")}, required=("description",), extra=True),
                    max_items=5 * MAX_PIECES, title="所寄物品"),
}, required=("tracking_number", "pieces"))
COURIER = obj({"username": required_text(64, "用户名"), "carrier": required_text(16, "快递公司"),
               "password": required_text(256, "密码"), "display_name": text(64, "姓名")},
              required=("username", "carrier", "password"))
NULLABLE = {"type": ["string", "null"]}
SCAN = obj({"seq": {"type": "integer"}, "action": {"type": "string"}, "state": {"type": "string"},
            "at": {"type": "string"}, "note": {"type": "string"}, "actor": {"type": "string"},
            "latitude": {"type": ["number", "null"]}, "longitude": {"type": ["number", "null"]}}, extra=True)
SHIPMENT = obj({
    "id": {"type": "integer"}, "application_id": {"type": "integer"}, "number": {"type": "string"},
    "carrier": {"type": "string"}, "carrier_name": {"type": "string"}, "tracking_number": {"type": "string"},
    "state": {"type": "string"}, "state_name": {"type": "string"}, "pieces": {"type": "array", "items": {"type": "string"}},
    "recipient": NULLABLE, "phone": NULLABLE, "address": {"type": "string"}, "created_at": {"type": "string"},
    "created_by": {"type": "string"}, "code_locked": {"type": "boolean"},
    "next_actions": {"type": "array", "items": obj({"action": {"type": "string"}, "name": {"type": "string"}},
                                                   extra=True)},
    "scans": {"type": "array", "items": SCAN}, "links": {"type": "object"},
}, required=("id", "application_id", "number", "state", "tracking_number"), extra=True)
ACCOUNT = obj({"id": {"type": "integer"}, "username": {"type": "string"}, "role": {"type": "string"},
               "carrier": NULLABLE}, required=("id", "username", "role"), extra=True)
PICTURE = {"type": "string", "format": "binary"}
ROUTES = [
    Route("POST", "/applications/{id}/shipments", create, "邮寄送达：登记寄出（运单号、逐件物品），通知申请人取件码",
          POST, response=SHIPMENT, status=201, roles=("clerk",), responses={"201": "已寄出"}),
    Route("GET", "/applications/{id}/shipments", of_application, "办件的全部邮件（最新在前）",
          response=items_of(SHIPMENT), roles=READ),
    Route("GET", "/shipments/{id}", one, "邮件详情：状态、扫描记录、面单和二维码链接", response=SHIPMENT, roles=READ),
    Route("GET", "/shipments/{id}/slip", slip, "打印面单（每件一页，A6）", response={"type": "string"},
          content="text/html", roles=READ),
    Route("GET", "/shipments/{id}/qr.png", qr_png, "投递二维码（PNG）", response=PICTURE, content="image/png",
          roles=READ),
    Route("GET", "/shipments/{id}/qr.svg", qr_svg, "投递二维码（SVG）", response={"type": "string"},
          content="image/svg+xml", roles=READ),
    Route("POST", "/couriers", create_courier, "开设快递员账号（限管理员）", COURIER, response=ACCOUNT, status=201,
          roles=("admin",), responses={"201": "已开设"}),
]
