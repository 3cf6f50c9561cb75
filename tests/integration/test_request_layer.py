"""The request layer on a small app of its own: what reaches a handler has been checked, and
what cannot be taken gets a 4xx with every failing field, in Chinese, never a 500."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web

from onething.web.http import json_response
from onething.web.requests import edge_middleware
from onething.web.routes import Route, mount
from onething.web.schemas import ID, PAGE, enum, obj, required_text, text
from onething.web.validation import body, query

SEEN: list = []


async def echo(request: web.Request) -> web.Response:
    SEEN.append((body(request), query(request)))
    return json_response({"body": body(request), "query": query(request), "id": request.match_info.get("id")})


async def listing(request: web.Request) -> web.Response:
    return json_response({"query": query(request)})


def refuse_clerks(request: web.Request, roles: tuple[str, ...]) -> None:
    if request.headers.get("X-Role") not in roles:
        raise web.HTTPNotFound()


FORM = obj({"name": required_text(64, "姓名"), "note": text(500, "备注"), "kind": enum(["a", "b"], "类别"),
            "form": {"type": "object", "maxProperties": 10}}, required=("name",))
ROUTES = [
    Route("POST", "/things/{id}", echo, "回显", FORM, query={"page": PAGE}, response={"type": "object"}),
    Route("GET", "/things", listing, "列表", query={"page": PAGE, "state": text(16, "状态"), "owner": ID},
          response={"type": "object"}),
    Route("POST", "/admin/{id}", echo, "仅限管理员", FORM, roles=("admin",)),
]


@pytest.fixture
async def client(aiohttp_client):
    """The app's one middleware in front of routes mounted as the entrypoints mount theirs."""
    SEEN.clear()
    app = web.Application(middlewares=[edge_middleware])
    sub = web.Application()
    mount(sub, ROUTES, prefix="/v1", title="测试", authorise=refuse_clerks)
    app.add_subapp("/v1/", sub)
    return await aiohttp_client(app)


async def _post(client, path, raw: bytes | str, **headers):
    response = await client.post(path, data=raw, headers={"Content-Type": "application/json", **headers})
    return response.status, await response.json()


async def test_a_good_body_reaches_the_handler_checked(client):
    status, answer = await _post(client, "/v1/things/7?page=3", json.dumps({"name": " 张三 ", "kind": "a"}))
    assert status == 200
    assert answer == {"body": {"name": " 张三 ", "kind": "a"}, "query": {"page": 3}, "id": "7"}


async def test_every_failing_field_is_named_at_once_in_chinese(client):
    status, answer = await _post(client, "/v1/things/1", json.dumps({"note": "字" * 501, "kind": "c", "extra": 1}))
    assert status == 422 and SEEN == []
    error = answer["error"]
    assert error["code"] == "invalid_field"
    assert {f["field"]: f["problem"] for f in error["details"]["fields"]} == {
        "name": "required", "note": "maxLength", "kind": "enum", "extra": "additionalProperties"}
    for expected in ("请填写姓名", "备注不能超过 500 个字", "类别应为以下之一：a、b", "不认识的栏目：extra"):
        assert expected in error["message"]


@pytest.mark.parametrize("raw", [
    '{"name": ' + "[" * 5000 + "]" * 5000 + "}",  # RecursionError in the parser
    b'{"name": "\xff"}',  # not UTF-8
    "{'name': 1}",
    '{"name": "a"',
])
async def test_what_is_not_json_is_a_400(client, raw):
    status, answer = await _post(client, "/v1/things/1", raw)
    assert (status, answer["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize("value, problem", [
    ({"name": "sandbox-\ud800"}, "text"),  # a lone surrogate cannot be encoded, let alone stored
    ({"name": "张\u0000三"}, "text"),  # PostgreSQL text cannot hold NUL
    ({"name": "a", "form": {"x": [[[[[[[[[[[1]]]]]]]]]]]}}, "depth"),
])
async def test_text_no_database_can_keep_and_deep_nesting_are_named(client, value, problem):
    status, answer = await _post(client, "/v1/things/1", json.dumps(value))
    assert status == 422 and answer["error"]["details"]["fields"][0]["problem"] == problem


async def test_a_body_over_its_limit_is_a_413(client):
    status, answer = await _post(client, "/v1/things/1", json.dumps({"name": "a", "note": "x" * 300_000}))
    assert (status, answer["error"]["code"]) == (413, "payload_too_large")


@pytest.mark.parametrize("path", ["/v1/things/99999999999999999999", "/v1/things/0", "/v1/things/abc",
                                  "/v1/things/2147483648"])
async def test_an_id_out_of_range_names_nothing(client, path):
    status, answer = await _post(client, path, json.dumps({"name": "a"}))
    assert status == 404 and SEEN == []


@pytest.mark.parametrize("query_string, field", [
    ("page=99999999999999999999", "page"), ("page=0", "page"), ("page=abc", "page"), ("page=-1", "page"),
    ("owner=100000000000000000000", "owner"), ("state=" + "s" * 17, "state"),
])
async def test_a_query_parameter_out_of_range_is_a_422(client, query_string, field):
    response = await client.get(f"/v1/things?{query_string}")
    answer = await response.json()
    assert response.status == 422 and answer["error"]["details"]["field"] == field


async def test_query_parameters_arrive_in_their_types_with_defaults(client):
    response = await client.get("/v1/things?owner=12&state=open&unknown=1")
    assert (await response.json())["query"] == {"page": 1, "owner": 12, "state": "open"}


async def test_a_role_is_checked_before_the_body_is_judged(client):
    status, _ = await _post(client, "/v1/admin/1", "not json", **{"X-Role": "clerk"})
    assert status == 404  # a clerk learns nothing from how the body would have been judged
    status, answer = await _post(client, "/v1/admin/1", "not json", **{"X-Role": "admin"})
    assert (status, answer["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize("header", [b"Authorization: Bearer \xff\xfe", b"Cookie: courier=\xc3\x28"])
async def test_a_credential_header_that_is_not_text_is_a_400(client, header):
    # the bytes as a client sent them: aiohttp's own client would encode the header first
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(b"GET /v1/things HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + header + b"\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b'"invalid_header"' in payload


async def test_the_document_describes_parameters_bodies_and_answers(client):
    spec = await (await client.get("/v1/openapi.json")).json()
    get = spec["paths"]["/v1/things"]["get"]
    assert {p["name"]: (p["in"], p["schema"]["type"]) for p in get["parameters"]} == {
        "page": ("query", "integer"), "state": ("query", "string"), "owner": ("query", "integer")}
    post = spec["paths"]["/v1/things/{id}"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["properties"]["note"]["maxLength"] == 500
    assert post["parameters"][0] == {"name": "id", "in": "path", "required": True, "schema": ID}
    assert "schema" in post["responses"]["200"]["content"]["application/json"]
    assert post["responses"]["default"]["content"]["application/json"]["schema"]["required"] == ["error"]
