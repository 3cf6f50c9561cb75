"""Who is scanning and which shipment the scanned code names: shared by the courier page and API."""

from __future__ import annotations

from aiohttp import web

from onething.keys import redis_key, settings_key, workflow_key
from onething.services import couriers
from onething.services.case_store import Actor
from onething.services.staff import StaffSession

from onething.domain.refusals import Refused
from onething.web.login_limits import throttled_login


class BadCredentials(Refused):
    status = 401


async def login(request: web.Request, username: str, password: str) -> tuple[str, object]:
    """``(session token, courier)``; refused with 401 for a wrong password, 429 when tried too often."""
    async def attempt():
        signed_in = await couriers.login(request.config_dict[redis_key], username, password) if username else None
        if signed_in is None:
            raise BadCredentials("bad_credentials")
        return signed_in

    return await throttled_login(request, "courier", username, attempt)


def courier_actor(session: StaffSession) -> Actor:
    return Actor(f"courier:{session.username}", "courier")


async def find_shipment(request: web.Request, session: StaffSession):
    """The shipment of the scanned code, or the refusal that says why not."""
    return await couriers.scanned(session, request.match_info["token"], request.config_dict[settings_key].secret_key,
                                  request.config_dict[workflow_key].clock())
