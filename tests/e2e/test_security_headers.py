"""Every HTML page the service renders says what the browser may do with it: load nothing from
elsewhere, run only its own scripts, never be framed by another site, leak no URL as referrer."""

from __future__ import annotations

import re
import uuid

import pytest

from onething.keys import workflow_key
from tests.support.apps import start_app
from tests.support.cases import to_results_ready
from tests.support.courier import CourierApp, CourierBrowser, decode_qr, token_of
from tests.support.miniapp import MiniProgram
from tests.support.staff_api import StaffApi

ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}


@pytest.fixture
async def pages(aiohttp_server, aiohttp_client, tmp_path):
    """A posted shipment: its slip for the clerk, its page for a signed-in courier's phone."""
    running = await start_app(aiohttp_server, tmp_path)
    client = await aiohttp_client(running.server)
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    await me.put(f"/applications/{case['id']}/delivery",
                 {"method": "post", "recipient": "王青禾", "phone": "13812345678", "address": ADDRESS})
    await to_results_ready(running.app[workflow_key], case["id"])
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:6]}", "clerk")
    posted = await clerk.post(f"/applications/{case['id']}/shipments",
                              {"tracking_number": "EA123456789CN", "pieces": [{"description": "营业执照"}]},
                              expect=201)
    staff = {"Authorization": f"Bearer {clerk.token}"}
    qr = await client.get(posted["links"]["qr_png"], headers=staff)
    scan_path = f"/courier/s/{token_of(decode_qr(await qr.read()))}"
    username = f"ems-{uuid.uuid4().hex[:6]}"
    await CourierApp.login(client, username, "ems")
    phone = CourierBrowser(await aiohttp_client(running.server))
    await phone.login(username, scan_path)
    return client, staff, posted["links"]["slip"], phone.client, scan_path


def policy_of(response) -> dict[str, str]:
    directives = [d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";")]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def assert_protected(response, *, framed_by_own_pages: bool = False) -> dict[str, str]:
    assert response.content_type == "text/html"
    policy = policy_of(response)
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    assert re.fullmatch(r"'nonce-[\w-]{16,}'", policy["script-src"])  # no 'unsafe-inline', no other origin
    assert policy["frame-ancestors"] == ("'self'" if framed_by_own_pages else "'none'")
    assert response.headers["X-Frame-Options"] == ("SAMEORIGIN" if framed_by_own_pages else "DENY")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return policy


async def test_each_html_page_sends_its_security_headers(pages):
    client, staff, slip, phone, scan_path = pages
    assert_protected(await client.get("/api/v1/docs"))
    assert_protected(await client.get("/courier/login"))
    assert_protected(await phone.get("/courier/s/not-a-delivery-code"))  # the error page
    assert_protected(await client.get(slip, headers=staff), framed_by_own_pages=True)
    assert_protected(await client.get("/staff/api/v1/things/business-opening/notice.html", headers=staff),
                     framed_by_own_pages=True)


async def test_the_courier_pages_own_script_runs_and_no_other(pages):
    _, _, _, phone, scan_path = pages
    first, second = await phone.get(scan_path), await phone.get(scan_path)
    nonces = []
    for response in (first, second):
        policy = assert_protected(response)
        nonce = policy["script-src"][len("'nonce-"):-1]
        html = await response.text()
        assert re.findall(r"<script[^>]*>", html) == [f'<script nonce="{nonce}">']  # the geolocation script
        nonces.append(nonce)
    assert nonces[0] != nonces[1]  # a nonce seen once is no use to anyone


async def test_other_responses_are_not_sniffed(pages):
    client, staff, _, _, _ = pages
    for response in (await client.get("/api/v1/openapi.json"), await client.get("/api/v1/no-such-path"),
                     await client.get("/staff/api/v1/applications", headers=staff), await client.get("/healthz")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers
