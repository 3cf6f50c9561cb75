"""The case a request names, found for the signed-in citizen, and what every handler of a case shares."""

from __future__ import annotations

from aiohttp import web

from onething.keys import calendar_key, catalog_key, id_cipher_key, workflow_key
from onething.services import applicant_cases
from onething.services.case_store import Actor
from onething.web.http import int_id

from .auth import CITIZEN_ID, current_citizen

CASE = web.RequestKey("case", object)
CASES = "/api/v1/applications/"


@web.middleware
async def applicant_first(request: web.Request, handler):
    """A change to a case is checked to be its applicant's before anything else of the request is
    read: to anyone else the case does not exist, whatever they send (as ``roles`` do for staff)."""
    if request.method != "GET" and request.path.startswith(CASES) and "id" in request.match_info:
        request[CASE] = await applicant_cases.find(await current_citizen(request), int_id(request), own=True)
    return await handler(request)


async def find(request: web.Request, *, own: bool = False):
    """The case with this id if the citizen may see it (``own``: act on it); else 404 (or 403)."""
    if CASE in request:
        return request[CASE]
    return await applicant_cases.find(await current_citizen(request), int_id(request), own=own)


def actor(request: web.Request) -> Actor:
    return Actor(f"citizen:{request[CITIZEN_ID]}", "citizen")


def workflow(request: web.Request):
    return request.config_dict[workflow_key]


def cipher(request: web.Request):
    return request.config_dict[id_cipher_key]


def calendar(request: web.Request):
    return request.config_dict[calendar_key].current


async def detail_json(request: web.Request, row) -> dict:
    return await applicant_cases.detail(request.config_dict[catalog_key], row, cipher(request), calendar(request),
                                        request[CITIZEN_ID])
