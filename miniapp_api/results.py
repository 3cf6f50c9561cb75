"""Results (电子证照): a case's certificates, the ones the citizen holds, and one standing in for a material."""

from __future__ import annotations

from aiohttp import web

from onething.keys import catalog_key, object_store_key
from onething.services import results as results_
from onething.web.http import json_response, run_rule
from onething.web.validation import body

from .auth import current_citizen
from .cases import detail_json, find, workflow


async def results(request: web.Request) -> web.Response:
    """Seen by whoever may see the case: its applicant and, for an enterprise case, its contacts."""
    row = await find(request)
    return json_response({"items": await results_.results(request.config_dict[catalog_key],
                                                          request.config_dict[object_store_key], row)})


async def held(request: web.Request) -> web.Response:
    return json_response({"items": await results_.held(request.config_dict[catalog_key],
                                                       await current_citizen(request))})


async def from_certificate(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await run_rule(results_.attach_certificate(request.config_dict[object_store_key], workflow(request), row,
                                               await current_citizen(request), request.match_info["material"],
                                               body(request)["certificate"]))
    return json_response(await detail_json(request, row))
