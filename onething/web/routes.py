"""One declaration per route: what it accepts and answers, checked before its handler runs and
published, from the same declaration, as the OpenAPI document.

    Route("GET", "/applications", apps.list_mine, "我的办件",
          query={"page": PAGE}, response=items_of(SUMMARY))

``body`` is the JSON Schema of a JSON body; ``upload`` names the media types of a body that is a
file, streamed by the handler itself; ``query`` and ``params`` give a schema per query and path
parameter (a path parameter ``id`` is an id unless said otherwise). ``response`` is the schema
of the success body, answered with ``status``, as ``content``. ``roles`` are checked by the
sub-app's ``authorise`` before anything of the request is read: someone without the role learns
nothing from how their input would have been judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from aiohttp import web

from onething.web import openapi
from onething.web.schemas import ID, obj
from onething.web.validation import BODY, MAX_JSON_BYTES, QUERY, parse_query, path_ok, read_body, validator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PATH_TEXT = {"type": "string", "minLength": 1, "maxLength": 128}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    body: dict[str, Any] | None = None
    query: dict[str, dict] = field(default_factory=dict)
    required_query: tuple[str, ...] = ()
    params: dict[str, dict] = field(default_factory=dict)
    response: dict[str, Any] | None = None
    status: int = 200
    content: str = "application/json"
    upload: tuple[str, ...] = ()
    public: bool = False
    roles: tuple[str, ...] = ()
    max_body: int = MAX_JSON_BYTES
    responses: dict[str, str] = field(default_factory=dict)
    description: str = ""

    def path_schemas(self) -> dict[str, dict]:
        names = [segment[1:-1].split(":")[0] for segment in self.path.split("/") if segment.startswith("{")]
        return {name: self.params.get(name, ID if name == "id" or name.endswith("_id") else PATH_TEXT)
                for name in names}


Authorise = Callable[[web.Request, tuple[str, ...]], None]


def checked(route: Route, authorise: Authorise | None = None) -> Handler:
    """The route's handler behind its checks; the schemas compile once, here, at startup."""
    path_schemas = route.path_schemas()
    path_checkers = {name: validator(schema) for name, schema in path_schemas.items()}
    query_checker = validator(obj(route.query, required=route.required_query, extra=True))
    body_checker = validator(route.body) if route.body is not None else None

    async def handler(request: web.Request) -> web.StreamResponse:
        if authorise is not None and route.roles:
            authorise(request, route.roles)
        if not path_ok(request, path_checkers, path_schemas):
            raise web.HTTPNotFound()
        request[QUERY] = parse_query(request, route.query, query_checker)
        if body_checker is not None:
            request[BODY] = await read_body(request, body_checker, route.max_body)
        return await route.handler(request)

    handler.__name__ = getattr(route.handler, "__name__", "handler")
    return handler


def mount(app: web.Application, routes: list[Route], *, prefix: str, title: str,
          authorise: Authorise | None = None) -> None:
    """Add each route behind its checks, and the OpenAPI document and its readable page."""
    for route in routes:
        app.router.add_route(route.method, route.path, checked(route, authorise))
    openapi_json, docs = openapi.handlers(routes, prefix=prefix, title=title)
    app.router.add_get("/openapi.json", openapi_json)
    app.router.add_get("/docs", docs)
