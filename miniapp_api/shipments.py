"""The applicant follows the postal delivery of their results: pieces, carrier, every scan, the code."""

from __future__ import annotations

from aiohttp import web

from onething.services.shipment_views import citizen_view, scans_of
from onething.web.http import json_response
from onething.web.errors import ApiError
from storage.models import Shipment

from .applications import find
from .auth import CITIZEN_ID


async def shipment(request: web.Request) -> web.Response:
    """The latest shipment of a case the citizen may see; the pickup code is for the applicant alone."""
    row = await find(request)
    latest = await Shipment.filter(application_id=row.id).order_by("-id").first()
    if latest is None:
        raise ApiError("no_shipment", "办理结果尚未寄出。", status=404)
    return json_response(citizen_view(latest, row.number, await scans_of(latest),
                                          applicant=row.applicant_id == request[CITIZEN_ID]))
