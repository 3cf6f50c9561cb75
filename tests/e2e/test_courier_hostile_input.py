"""What couriers, carriers and staff logins answer to input no client of ours sends: 4xx, never a 500."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from onething.domain.carrier_updates import sign
from tests.support.apps import start_app
from tests.support.courier import CourierApp, CourierBrowser, decode_qr, posted, token_of
from tests.support.staff_api import PASSWORD, StaffApi

EMS_SECRET = "ems-webhook-secret-0123456789abcdef"
WEBHOOK = "/courier/api/v1/carriers/ems/updates"
NESTED = ('{"username": ' + "[" * 5000 + "]" * 5000 + ', "password": "x"}').encode()


@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              carrier_webhook_secrets=f"ems:{EMS_SECRET}")
    return running, await aiohttp_client(running.server)


async def raw_status(server, method: str, path: str, header: bytes) -> int:
    """The status of a request carrying ``header`` byte for byte: clients refuse to send such bytes."""
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: {server.host}\r\n".encode() + header
                 + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    return int(status_line.split()[1])


@pytest.mark.parametrize("path", ["/staff/api/v1/auth/login", "/courier/api/v1/auth/login"])
async def test_deeply_nested_json_on_a_login_is_refused(service, path):
    _, client = service
    response = await client.post(path, data=NESTED, headers={"Content-Type": "application/json"})
    # the staff login takes at most 4 KiB, so this one is refused for its size before it is parsed
    assert response.status in (400, 413, 422), await response.text()
    assert (await response.json())["error"]["code"] in ("invalid_json", "invalid_field", "payload_too_large")


@pytest.mark.parametrize("username", ["x" * 65, r"ems-\ud800", r"ems-\u0000"])
async def test_a_courier_login_checks_its_fields_like_every_api(service, username):
    _, client = service
    body = '{"username": "%s", "password": "y"}' % username  # the escapes as a client writes them
    response = await client.post("/courier/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"})
    assert response.status == 422
    assert (await response.json())["error"]["details"]["field"] == "username"


async def posted_label(running, client) -> str:
    """The scan page's path of a shipment just posted (its label's QR code)."""
    _, _, shipment = await posted(running, client)
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:6]}", "clerk")
    qr = await client.get(shipment["links"]["qr_png"], headers={"Authorization": f"Bearer {clerk.token}"})
    return f"/courier/s/{token_of(decode_qr(await qr.read()))}"


async def test_the_courier_pages_forms_refuse_what_no_text_holds(service, aiohttp_client):
    running, client = service
    path = await posted_label(running, client)
    username = f"ems-{uuid.uuid4().hex[:8]}"
    await CourierApp.login(client, username, "ems")
    phone = CourierBrowser(await aiohttp_client(running.server))
    for fields in ({"username": "ems\x00", "password": PASSWORD}, {"username": username, "password": "\x00"}):
        refused = await phone.client.post("/courier/login", data=fields, allow_redirects=False)
        assert refused.status == 400 and "请求格式不正确" in await refused.text()
    not_utf8 = await phone.client.post("/courier/login", data=b"username=ems\xff&password=x",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_utf8.status == 400
    page = await phone.login(username, path)
    page = await phone.submit(page, "pickup")
    page = await phone.submit(page, "out_for_delivery")
    await phone.submit(page, "fail", expect=400, reason="收件人\x00不在")
    assert "投递未成功" not in await phone.open(path)  # nothing was recorded


@pytest.mark.parametrize("header", [b"Cookie: courier_session=ab\xffcd", b"Authorization: Bearer ab\xffcd"])
@pytest.mark.parametrize("path", ["/courier/", f"/courier/s/{'A' * 38}", f"/courier/api/v1/shipments/{'A' * 38}"])
async def test_a_byte_that_is_not_utf8_in_a_courier_credential_is_refused(service, path, header):
    running, _ = service
    assert await raw_status(running.server, "GET", path, header) == 400


async def test_an_invalid_utf8_bearer_token_on_a_courier_action_is_refused(service):
    running, client = service
    await CourierApp.login(client, f"ems-{uuid.uuid4().hex[:8]}", "ems")
    path = f"/courier/api/v1/shipments/{'A' * 38}/pickup"
    assert await raw_status(running.server, "POST", path, b"Authorization: Bearer \xc3\x28" + PASSWORD.encode()) == 400


def signed(body: bytes, timestamp: str) -> dict[str, str]:
    return {"X-Onething-Timestamp": timestamp, "X-Onething-Signature": sign(EMS_SECRET, timestamp, body),
            "Content-Type": "application/json"}


async def test_a_carrier_timestamp_in_other_digits_is_refused(service):
    _, client = service
    body = json.dumps({"tracking_number": "EA123456789CN", "event": "picked_up"}).encode()
    response = await client.post(WEBHOOK, data=body, headers=signed(body, "²"))
    assert response.status in (400, 401), await response.text()


async def test_a_deeply_nested_carrier_update_is_refused(service):
    _, client = service
    body = ('{"tracking_number": ' + "[" * 5000 + "]" * 5000 + "}").encode()
    response = await client.post(WEBHOOK, data=body, headers=signed(body, str(int(time.time()))))
    answer = await response.json()
    assert response.status == 422 and answer["error"]["code"] == "bad_update", answer
