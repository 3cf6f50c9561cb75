"""The applicant follows the postal delivery of their results: pieces, carrier, every scan, the code."""

from __future__ import annotations

from aiohttp import web

from onething.services import applicant_cases
from onething.web.http import json_response

from .auth import CITIZEN_ID
from .cases import find


async def shipment(request: web.Request) -> web.Response:
    """The latest shipment of a case the citizen may see; the pickup code is for the applicant alone."""
    return json_response(await applicant_cases.shipment(await find(request), request[CITIZEN_ID]))
