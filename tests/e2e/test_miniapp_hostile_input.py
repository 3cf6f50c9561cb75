"""What no mini-program sends, but anyone can: each is refused with a 4xx, on SQLite and PostgreSQL,
and none leaves anything stored."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from tests.support.apps import start_app
from tests.support.miniapp import MiniProgram


@pytest.fixture
async def client(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url)
    return await aiohttp_client(running.server)


async def signed_in(client) -> MiniProgram:
    return await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")


async def test_a_page_number_beyond_any_count_is_refused(client):
    me = await signed_in(client)
    refused = await me.get("/applications?page=99999999999999999999", expect=422)
    assert refused["error"]["code"] == "invalid_field"
    assert [f["field"] for f in refused["error"]["details"]["fields"]] == ["page"]
    assert (await me.get("/applications?page=2"))["page"] == 2


async def test_an_enterprise_longer_than_a_credit_code_is_refused_and_nothing_is_created(client):
    me = await signed_in(client)
    refused = await me.post("/applications", {"thing": "business-opening", "enterprise": "9" * 5000}, expect=422)
    assert refused["error"]["details"]["fields"][0]["field"] == "enterprise"
    assert (await me.get("/applications"))["total"] == 0


async def test_a_nul_character_in_a_form_value_is_refused_before_the_database(client):
    me = await signed_in(client)
    refused = await me.post("/applications", {"thing": "business-opening", "form": {"company_name": "青禾\x00有限公司"}},
                            expect=422)
    assert refused["error"]["details"]["fields"][0]["field"] == "form.company_name"
    draft = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    await me.put(f"/applications/{draft['id']}/form", {"form": {"company_name": "\x00"}}, expect=422)
    await me.put("/me/identity", {"real_name": "王\x00", "id_number": "x", "mobile": "1"}, expect=422)
    assert (await me.get("/applications"))["total"] == 1


async def test_a_lone_surrogate_in_the_login_code_is_refused(client):
    response = await client.post("/api/v1/auth/login", data='{"code": "sandbox-\\ud800"}',
                                 headers={"Content-Type": "application/json"})
    assert response.status == 422
    assert (await response.json())["error"]["details"]["fields"][0]["field"] == "code"


async def test_json_nested_thousands_deep_on_the_login_is_refused(client):
    deep = '{"code": ' + "[" * 5000 + "]" * 5000 + "}"
    response = await client.post("/api/v1/auth/login", data=deep, headers={"Content-Type": "application/json"})
    assert 400 <= response.status < 500
    assert (await response.json())["error"]["code"] in ("invalid_json", "invalid_field")


async def test_a_byte_that_is_not_utf8_in_authorization_is_refused(client):
    me = await signed_in(client)
    status, answer = await raw_request(client, b"GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\n"
                                               b"Authorization: Bearer \xff" + me.token.encode() + b"\r\n"
                                               b"Connection: close\r\n\r\n")
    assert status == 400, answer
    assert json.loads(answer)["error"]["code"] == "invalid_header"
    assert (await me.get("/me"))["id"]


async def raw_request(client, request: bytes) -> tuple[int, bytes]:
    """Bytes on the wire as given: an HTTP client would refuse to send (or would re-encode) such a header."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    try:
        writer.write(request)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body
