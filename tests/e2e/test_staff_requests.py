"""What the back office takes from a request: filters within their columns' limits, roles checked
before anything is read, and every route in the staff OpenAPI document."""

from __future__ import annotations

import pytest

from tests.support.apps import start_app
from tests.support.projects import login

HUGE = "99999999999999999999"  # past 64 bits, let alone a 32-bit column


@pytest.fixture
async def office(aiohttp_server, aiohttp_client, tmp_path, database_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url)
    return running, await aiohttp_client(running.server)


def fields_of(refused: dict) -> list[str]:
    assert refused["error"]["code"] == "invalid_field", refused
    return [f["field"] for f in refused["error"]["details"]["fields"]]


async def test_filters_out_of_range_are_refused_not_failed(office):
    _, client = office
    admin, clerk, supervisor = await login(client, "admin"), await login(client, "clerk"), await login(client, "supervisor")
    page = await admin.get(f"/notifications?page={HUGE}", expect=422)
    assert fields_of(page) == ["page"] and "页码" in page["error"]["message"]
    assert fields_of(await admin.get(f"/notifications?application={10**20}", expect=422)) == ["application"]
    assert fields_of(await admin.get("/notifications?state=nonsense", expect=422)) == ["state"]
    assert fields_of(await clerk.get(f"/applications?state={'s' * 17}", expect=422)) == ["state"]
    assert fields_of(await supervisor.get(f"/tasks?department={'d' * 65}", expect=422)) == ["department"]
    for month in ("0000-01", "9999-12", "2026-13"):
        assert fields_of(await supervisor.get(f"/ledger?month={month}", expect=422)) == ["month"]
    assert (await supervisor.get("/ledger?month=2099-12"))["month"] == "2099-12"
    assert (await admin.get("/notifications?page=2"))["page"] == 2


async def test_a_wrong_role_is_refused_before_its_input_is_judged(office):
    _, client = office
    clerk = await login(client, "clerk")
    refused = await clerk.call("PUT", "/credit/citizens", 403, json={"id_number": ["not", "text"]})
    assert refused["error"]["code"] == "forbidden" and refused["error"]["message"] == "您的岗位无权进行此操作。"
    assert (await clerk.get(f"/notifications?page={HUGE}", expect=403))["error"]["code"] == "forbidden"


async def test_the_staff_document_describes_every_route(office):
    _, client = office
    spec = await (await client.get("/staff/api/v1/openapi.json")).json()
    paths = spec["paths"]
    for path, method in (("/auth/login", "post"), ("/applications", "get"), ("/applications/{id}/accept", "post"),
                         ("/tasks", "get"), ("/tasks/{id}/certificate", "put"), ("/things/{code}/notice", "get"),
                         ("/notifications", "get"), ("/follow-ups/{id}/close", "post"), ("/ledger", "get")):
        operation = paths[f"/staff/api/v1{path}"][method]
        assert "content" in operation["responses"]["200"], path
    listed = {p["name"]: p["schema"] for p in paths["/staff/api/v1/notifications"]["get"]["parameters"]}
    assert listed["page"]["maximum"] == 2**31 - 1 and listed["application"]["maximum"] == 2**31 - 1
    assert "security" not in paths["/staff/api/v1/auth/login"]["post"]
    page = await client.get("/staff/api/v1/docs")  # the certificate's body is a file, not JSON
    assert page.status == 200 and "application/pdf" in await page.text()
