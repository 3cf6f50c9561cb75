"""A citizen's cases: create from the one form, follow, submit, withdraw, resubmit, delivery, rating."""

from __future__ import annotations

from aiohttp import web

from onething.keys import calendar_key, catalog_key, redis_key
from onething.services import applicant_cases, case_edits, case_views
from onething.web.http import int_id, json_response, run_rule
from onething.web.validation import body, query

from .auth import CITIZEN_ID, PREFETCHED, current_citizen
from .cases import actor, calendar, cipher, detail_json, find, workflow


async def create(request: web.Request) -> web.Response:
    sent = body(request)
    row = await case_edits.open_case(workflow(request), await current_citizen(request), sent["thing"],
                                     sent.get("form", {}), sent.get("enterprise"), cipher(request))
    return json_response(await detail_json(request, row), status=201)


async def list_mine(request: web.Request) -> web.Response:
    return json_response(await applicant_cases.page_of(request.config_dict[catalog_key], await current_citizen(request),
                                                       query(request)["page"], calendar(request)))


async def get(request: web.Request) -> web.Response:
    redis, revision = request.config_dict[redis_key], request.config_dict[calendar_key].revision
    if PREFETCHED in request:
        hit = case_views.parse(request[PREFETCHED], revision)
    else:
        hit = await case_views.cached(redis, int_id(request), revision)
    if hit is not None and hit[0] == request[CITIZEN_ID]:
        return _raw_json(hit[1])  # the common case: an applicant following their case
    row = await find(request)  # anyone else: the visibility rules decide, as for every other call
    view = await detail_json(request, row)
    if row.applicant_id == request[CITIZEN_ID]:  # a colleague's view masks more: it is not the one kept
        await case_views.remember(redis, row.id, row.applicant_id, view, revision)
    return json_response(view)


get.prefetch = lambda request: case_views.key(int_id(request))  # read with the session (auth.py)


def _raw_json(raw: bytes) -> web.Response:
    return web.Response(body=raw, content_type="application/json")


async def update_form(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await case_edits.change_form(workflow(request), row, body(request).get("form", {}), cipher(request),
                                 actor(request))
    return json_response(await detail_json(request, row))


async def submit(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await case_edits.check_complete(workflow(request), row, cipher(request))
    await run_rule(workflow(request).submit(row.id, actor(request)))
    return await get(request)


async def resubmit(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await case_edits.check_complete(workflow(request), row, cipher(request))
    await run_rule(workflow(request).resubmit(row.id, actor(request)))
    return await get(request)


async def resubmit_item(request: web.Request) -> web.Response:
    """审查中补正: the applicant has fixed what the reviewer listed; that item's clock runs again."""
    row = await find(request, own=True)
    await run_rule(workflow(request).resubmit_item(row.id, request.match_info["item"], actor(request)))
    return await get(request)


async def withdraw(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await run_rule(workflow(request).withdraw(row.id, actor(request), body(request).get("reason", "").strip()))
    return await get(request)


async def delivery(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await case_edits.choose_delivery(workflow(request), row, body(request), actor(request))
    return json_response(await detail_json(request, row))


async def evaluate(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    sent = body(request)
    await run_rule(workflow(request).evaluate(row.id, actor(request), sent["score"], sent.get("comment", "").strip()))
    return json_response(await detail_json(request, row), status=201)
