"""The things (一件事) as staff see them, and each one's one-time notice (一次性告知), also as a page."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from onething.domain.notice import notice_for
from onething.keys import catalog_key, templates_key
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import CODE, items_of
from .shapes import HTML, NOTICE, THING


async def things(request: web.Request) -> web.Response:
    catalog = request.config_dict[catalog_key]
    return json_response({"items": [
        {"code": t.code, "name": t.name, "audience": t.audience, "promised_days": t.promised_days()}
        for t in catalog.things.values()
    ]})


def _notice(request: web.Request):
    catalog = request.config_dict[catalog_key]
    thing = catalog.things.get(request.match_info["code"])
    if thing is None:
        raise web.HTTPNotFound()
    return notice_for(catalog, thing)


async def notice_json(request: web.Request) -> web.Response:
    return json_response(asdict(_notice(request)))


async def notice_html(request: web.Request) -> web.Response:
    html = request.config_dict[templates_key].get_template("notice.html.j2").render(notice=_notice(request))
    return web.Response(text=html, content_type="text/html")


ROUTES = [
    Route("GET", "/things", things, "可办理的“一件事”", response=items_of(THING)),
    Route("GET", "/things/{code}/notice", notice_json, "一次性告知：材料清单、办理环节、时限、收费",
          params={"code": CODE}, response=NOTICE),
    Route("GET", "/things/{code}/notice.html", notice_html, "一次性告知（可打印的页面）", params={"code": CODE},
          response=HTML, content="text/html"),
]
