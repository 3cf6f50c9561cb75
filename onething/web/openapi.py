"""OpenAPI documents of the mini-program and staff APIs, built from the same tables that mount the routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

from onething.keys import templates_key
from onething.web.http import json_response


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Callable
    summary: str
    body: dict[str, Any] | None = None
    public: bool = False
    responses: dict[str, str] = field(default_factory=dict)


ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string", "description": "中文，给用户看的说明"},
    "details": {"type": "object"}}}}}


def document(routes: list[Route], prefix: str = "/api/v1", title: str = "onething 小程序接口") -> dict[str, Any]:
    paths: dict[str, dict] = {}
    for route in routes:
        operation: dict[str, Any] = {
            "summary": route.summary,
            "responses": {"200": {"description": "成功"}, **{k: {"description": v} for k, v in route.responses.items()},
                          "default": {"description": "错误", "content": {"application/json": {"schema": ERROR}}}},
        }
        if not route.public:
            operation["security"] = [{"bearer": []}]
        if route.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": route.body}}}
        params = [seg[1:-1] for seg in route.path.split("/") if seg.startswith("{")]
        if params:
            operation["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                       for p in params]
        paths.setdefault(f"{prefix}{route.path}", {})[route.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }


def handlers(routes: list[Route], prefix: str = "/api/v1", title: str = "onething 小程序接口") -> tuple[Callable, Callable]:
    spec = document(routes, prefix, title)

    async def openapi_json(request: web.Request) -> web.Response:
        return json_response(spec)

    async def docs(request: web.Request) -> web.Response:
        html = request.config_dict[templates_key].get_template("api_docs.html.j2").render(spec=spec)
        return web.Response(text=html, content_type="text/html")

    return openapi_json, docs
