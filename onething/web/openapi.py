"""OpenAPI 3.1 documents, written from the same route declarations that check each request."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Callable

from aiohttp import web

from onething.keys import templates_key
from onething.web.http import json_response

if TYPE_CHECKING:
    from onething.web.routes import Route

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message", "details"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string", "description": "中文，给用户看的说明"},
        "details": {"type": "object"}}}}}
_ERROR_RESPONSE = {"description": "错误（message 为中文说明）", "content": {"application/json": {"schema": ERROR}}}


def operation(route: "Route") -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.responses.get(str(route.status), "成功")}
    if route.response is not None:
        success["content"] = {route.content: {"schema": copy.deepcopy(route.response)}}
    op: dict[str, Any] = {
        "summary": route.summary,
        "operationId": f"{route.method.lower()}_{route.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
                       or route.method.lower(),
        "responses": {str(route.status): success,
                      **{k: {"description": v} for k, v in route.responses.items() if k != str(route.status)},
                      "default": _ERROR_RESPONSE},
    }
    if route.description:
        op["description"] = route.description
    if not route.public:
        op["security"] = [{"bearer": []}]
    parameters = [{"name": name, "in": "path", "required": True, "schema": copy.deepcopy(schema)}
                  for name, schema in route.path_schemas().items()]
    parameters += [{"name": name, "in": "query", "required": name in route.required_query,
                    "schema": copy.deepcopy(schema), **({"description": schema["title"]} if "title" in schema else {})}
                   for name, schema in route.query.items()]
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": copy.deepcopy(route.body)}}}
    elif route.upload:
        op["requestBody"] = {"required": True, "content": {
            media: {"schema": {"type": "string", "format": "binary"}} for media in route.upload}}
    return op


def document(routes: list["Route"], prefix: str, title: str) -> dict[str, Any]:
    paths: dict[str, dict] = {}
    for route in routes:
        paths.setdefault(f"{prefix}{route.path}", {})[route.method.lower()] = operation(route)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }


def handlers(routes: list["Route"], prefix: str, title: str) -> tuple[Callable, Callable]:
    spec = document(routes, prefix, title)

    async def openapi_json(request: web.Request) -> web.Response:
        return json_response(spec)

    async def docs(request: web.Request) -> web.Response:
        html = request.config_dict[templates_key].get_template("api_docs.html.j2").render(spec=spec)
        return web.Response(text=html, content_type="text/html")

    return openapi_json, docs
