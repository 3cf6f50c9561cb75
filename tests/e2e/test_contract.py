"""The contract: every operation of both OpenAPI documents, called with requests drawn from its
own declaration (valid ones and invalid ones), by a citizen and by a back-office admin, never
answers 5xx and always answers in the shape its document gives for that status.

It runs once, on PostgreSQL where there is one (CI) and SQLite otherwise: what it judges is the
HTTP contract, which does not change with the database. Requests come from a fixed seed and are
bounded (tests/support/contract.py), so the run is the same everywhere and takes well under the
two minutes it is allowed.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from onething.services.staff import create_staff
from tests.conftest import PG_URL
from tests.support.apps import start_app
from tests.support.contract import check_document
from tests.support.miniapp import MiniProgram
from tests.support.staff_api import PASSWORD

BUDGET_SECONDS = 120


@pytest.fixture
def contract_database(request, tmp_path) -> str:
    if PG_URL:
        return request.getfixturevalue("postgres_server_url")
    return f"sqlite://{tmp_path / 'contract.sqlite3'}"


async def staff_token(client, username: str, role: str) -> str:
    await create_staff(username, role, PASSWORD)
    response = await client.post("/staff/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status == 200, await response.text()
    return (await response.json())["token"]


@pytest.mark.slow
async def test_every_operation_keeps_its_documented_contract(aiohttp_server, aiohttp_client, tmp_path, contract_database):
    running = await start_app(aiohttp_server, tmp_path, database_url=contract_database)  # the WeChat sandbox
    client = await aiohttp_client(running.server)
    citizen = await MiniProgram.login(client, "sandbox-contract")
    admin = await staff_token(client, "contract-admin", "admin")
    documents = {}
    for prefix in ("/api/v1", "/staff/api/v1"):
        response = await client.get(f"{prefix}/openapi.json")
        assert response.status == 200
        documents[prefix] = await response.json()

    started = time.monotonic()
    # schemathesis sends its requests synchronously: from a thread, while this loop serves them
    citizen_sent, citizen_findings = await asyncio.to_thread(
        check_document, documents["/api/v1"], running.url, {"Authorization": f"Bearer {citizen.token}"})
    staff_sent, staff_findings = await asyncio.to_thread(
        check_document, documents["/staff/api/v1"], running.url, {"Authorization": f"Bearer {admin}"})
    took = time.monotonic() - started

    findings = citizen_findings + staff_findings
    report = "\n".join(str(f) for f in findings)
    print(f"\ncontract: {citizen_sent + staff_sent} requests in {took:.0f}s, {len(findings)} finding(s)\n{report}")
    assert citizen_sent and staff_sent
    assert not findings, f"{len(findings)} operation(s) break their contract:\n{report}"
    assert took < BUDGET_SECONDS


async def test_the_engine_finds_a_server_error_and_an_answer_its_document_belies(aiohttp_server):
    """A green contract run means something: on a service that fails both ways, both are found."""
    from aiohttp import web

    async def crash(request):
        return web.Response(status=500, text="boom")

    async def belie(request):
        return web.json_response({"name": 5})

    app = web.Application()
    app.router.add_get("/crash", crash)
    app.router.add_get("/belie", belie)
    server = await aiohttp_server(app)
    named = {"description": "成功", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"name": {"type": "string"}}}}}}
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
        "/crash": {"get": {"responses": {"200": {"description": "成功"}}}},
        "/belie": {"get": {"responses": {"200": named}}}}}
    sent, findings = await asyncio.to_thread(check_document, document, str(server.make_url("")).rstrip("/"), {})
    assert sent
    assert {(f.path, f.status) for f in findings} == {("/crash", 500), ("/belie", 200)}
