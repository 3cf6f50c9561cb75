"""Shipments in the back office (``/staff/api/v1``): clerks post results; the slip and its QR code.

Also where an admin opens courier accounts.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.shipment import DEFAULT_CARRIER, MAX_PIECES
from onething.keys import settings_key, templates_key, workflow_key
from onething.services import couriers, qr, shipments
from onething.services.shipment_views import delivery_url, scans_of, staff_view
from onething.services.staff import StaffError
from onething.web.errors import ApiError
from onething.web.http import int_id, json_response, read_json, run_rule, text
from onething.web.shipment_errors import refused
from .session import actor, staff
from storage.models import Application
from storage.models import Shipment as ShipmentRow

READ = ("clerk", "supervisor", "admin")


async def create(request: web.Request) -> web.Response:
    session = staff(request, "clerk")
    body = await read_json(request)
    pieces = body.get("pieces")
    if not isinstance(pieces, list) or not all(isinstance(p, dict) and isinstance(p.get("description"), str)
                                                for p in pieces):
        raise ApiError("invalid_pieces", f"请逐件填写所寄物品（1到{MAX_PIECES}件），如 "
                       '[{"description": "营业执照正副本"}]。', status=422, details={"field": "pieces"})
    settings = request.config_dict[settings_key]
    with refused():
        row = await run_rule(shipments.post(
            request.config_dict[workflow_key], int_id(request), actor(session), settings.secret_key,
            carrier=text(body, "carrier", required=False, max_length=16) or DEFAULT_CARRIER,
            tracking_number=text(body, "tracking_number", max_length=32),
            pieces=[p["description"] for p in pieces]))
    return json_response(await _view(row), status=201)


async def of_application(request: web.Request) -> web.Response:
    staff(request, *READ)
    case = await Application.get_or_none(id=int_id(request))
    if case is None:
        raise web.HTTPNotFound()
    rows = await ShipmentRow.filter(application_id=case.id).order_by("-id")
    return json_response({"items": [await _view(r, case.number) for r in rows]})


async def one(request: web.Request) -> web.Response:
    staff(request, *READ)
    return json_response(await _view(await _find(request)))


async def slip(request: web.Request) -> web.Response:
    """The label to print: one A6 page per piece, each with the same QR code."""
    staff(request, *READ)
    row = await _find(request)
    url = delivery_url(request.config_dict[settings_key].public_url, row, request.config_dict[settings_key].secret_key)
    view = await _view(row)
    html = request.config_dict[templates_key].get_template("shipment_slip.html.j2").render(
        shipment=view, qr_image=qr.svg_data_uri(url))
    return web.Response(text=html, content_type="text/html")


async def qr_png(request: web.Request) -> web.Response:
    return web.Response(body=qr.png(await _url(request)), content_type="image/png",
                        headers={"Cache-Control": "private, no-store"})


async def qr_svg(request: web.Request) -> web.Response:
    return web.Response(body=qr.svg(await _url(request)), content_type="image/svg+xml",
                        headers={"Cache-Control": "private, no-store"})


async def create_courier(request: web.Request) -> web.Response:
    staff(request, "admin")
    body = await read_json(request)
    try:
        user = await couriers.create_courier(text(body, "username", max_length=64), text(body, "carrier", max_length=16),
                                             text(body, "password", max_length=256),
                                             text(body, "display_name", required=False, max_length=64))
    except StaffError as exc:
        raise ApiError("invalid_courier", f"无法创建快递员账号：{exc}", status=422) from None
    return json_response({"id": user.id, "username": user.username, "role": user.role, "carrier": user.carrier},
                             status=201)


async def _find(request: web.Request) -> ShipmentRow:
    row = await ShipmentRow.get_or_none(id=int_id(request)).select_related("application")
    if row is None:
        raise web.HTTPNotFound()
    return row


async def _url(request: web.Request) -> str:
    staff(request, *READ)
    settings = request.config_dict[settings_key]
    return delivery_url(settings.public_url, await _find(request), settings.secret_key)


async def _view(row: ShipmentRow, number: str | None = None) -> dict:
    if number is None:
        number = (await Application.get(id=row.application_id)).number
    return staff_view(row, number, await scans_of(row))


def setup(app: web.Application) -> None:
    app.router.add_post("/applications/{id}/shipments", create)
    app.router.add_get("/applications/{id}/shipments", of_application)
    app.router.add_get("/shipments/{id}", one)
    app.router.add_get("/shipments/{id}/slip", slip)
    app.router.add_get("/shipments/{id}/qr.png", qr_png)
    app.router.add_get("/shipments/{id}/qr.svg", qr_svg)
    app.router.add_post("/couriers", create_courier)
