"""The catalog as the mini-program shows it: the list of things, and one thing's notice and form."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from onething.domain.notice import notice_for
from onething.web.http import json_response
from onething.keys import catalog_key


async def things(request: web.Request) -> web.Response:
    catalog = request.config_dict[catalog_key]
    return json_response({"items": [
        {"code": t.code, "name": t.name, "summary": t.summary, "audience": t.audience,
         "promised_days": t.promised_days(), "trips": t.trips, "postable": t.postable}
        for t in catalog.things.values()
    ]})


async def thing(request: web.Request) -> web.Response:
    catalog = request.config_dict[catalog_key]
    found = catalog.things.get(request.match_info["code"])
    if found is None:
        raise web.HTTPNotFound()
    return json_response({"code": found.code, "name": found.name, "notice": asdict(notice_for(catalog, found)),
                              "form": found.form})
