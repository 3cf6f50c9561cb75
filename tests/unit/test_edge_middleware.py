"""The app's one middleware: a request id on every answer, errors in their one shape, and a CSP
nonce made only for a page that asks for one, its own each time."""

from __future__ import annotations

import re

from aiohttp import web

from onething.web import security_headers
from onething.web.requests import edge_middleware

SEEN: list = []


async def page(request: web.Request) -> web.Response:
    nonce = security_headers.csp_nonce()
    assert security_headers.csp_nonce() == nonce  # the same nonce all through one page
    return web.Response(text=f'<script nonce="{nonce}"></script>', content_type="text/html")


async def answer(request: web.Request) -> web.Response:
    response = web.Response(text="<xml/>", content_type="application/xml")
    SEEN.append(request)
    return response


async def boom(request: web.Request) -> web.Response:
    raise web.HTTPNotFound()


async def client_of(aiohttp_client):
    app = web.Application(middlewares=[edge_middleware])
    security_headers.setup(app)
    app.router.add_get("/page", page)
    app.router.add_post("/answer", answer)
    app.router.add_get("/boom", boom)
    return await aiohttp_client(app)


async def test_a_page_script_carries_its_responses_nonce_and_each_response_its_own(aiohttp_client):
    client = await client_of(aiohttp_client)
    nonces = []
    for _ in range(2):
        response = await client.get("/page")
        nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"]).group(1)
        assert await response.text() == f'<script nonce="{nonce}"></script>' and len(nonce) >= 16
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


async def test_an_answer_that_is_no_page_has_its_id_and_headers_but_makes_no_nonce(aiohttp_client):
    client = await client_of(aiohttp_client)
    SEEN.clear()
    response = await client.post("/answer", headers={"X-Request-Id": "req-abcdef12"})
    assert response.headers["X-Request-Id"] == "req-abcdef12"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers
    assert security_headers.NONCE not in SEEN[0]
    made = await client.post("/answer")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])


async def test_errors_and_refused_headers_keep_the_id_and_the_shape(aiohttp_client):
    client = await client_of(aiohttp_client)
    missing = await client.get("/boom", headers={"X-Request-Id": "req-abcdef12"})
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"
    assert missing.headers["X-Request-Id"] == "req-abcdef12"
    refused = await client.get("/page?x=%00", headers={"X-Request-Id": "req-abcdef13"})
    assert refused.status == 400 and refused.headers["X-Request-Id"] == "req-abcdef13"
    assert (await refused.json())["error"]["code"] == "bad_request"


def test_outside_a_request_templates_get_no_nonce():
    assert security_headers.csp_nonce() == ""
