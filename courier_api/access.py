"""Who is scanning and which shipment the scanned code names: shared by the courier page and API."""

from __future__ import annotations

import logging
import math

from aiohttp import web

from onething.keys import settings_key, workflow_key
from onething.services import couriers, shipments
from onething.services.case_store import Actor
from onething.services.shipment_views import courier_view, scans_of
from onething.services.staff import StaffSession
from onething.web.errors import ApiError
from onething.web.login_limits import login_succeeded, login_wait
from storage.models import Application
from storage.models import Shipment as ShipmentRow

log = logging.getLogger("onething.courier")


async def login_allowed(request: web.Request, username: str) -> int:
    """0 if this login attempt may go ahead, else the seconds to wait (counted as for staff)."""
    return await login_wait(request, "courier", username)


async def signed_in_from_here(request: web.Request, username: str) -> None:
    """This courier's password was right: the limit per user no longer refuses this address."""
    await login_succeeded(request, "courier", username)


def courier_actor(session: StaffSession) -> Actor:
    return Actor(f"courier:{session.username}", "courier")


def location(latitude, longitude) -> shipments.Location | None:
    """Where the phone says it was, if it said anything sensible; a scan never fails for lack of it."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return shipments.Location(round(lat, 5), round(lng, 5))


async def find_shipment(request: web.Request, session: StaffSession) -> ShipmentRow:
    """The shipment of the scanned code, or why not: codes that lead nowhere are logged."""
    try:
        row = await shipments.by_token(request.match_info["token"], request.config_dict[settings_key].secret_key,
                                       request.config_dict[workflow_key].clock())
    except shipments.BadDeliveryCode as exc:
        log.warning("delivery code refused", extra={"reason": exc.reason, "courier": session.username})
        if exc.reason == "expired":
            raise ApiError("expired_delivery_code", "该投递二维码已过期。", status=410) from None
        raise ApiError("invalid_delivery_code", "投递二维码无效，请核对面单。", status=404) from None
    if not couriers.may_handle(session, row):
        log.warning("courier of another carrier scanned a shipment", extra={"courier": session.username})
        raise ApiError("other_carrier", "该邮件由其他快递公司承运，您不能操作。", status=403)
    return row


async def view_of(row: ShipmentRow) -> dict:
    number = (await Application.get(id=row.application_id)).number
    return courier_view(row, number, await scans_of(row))
