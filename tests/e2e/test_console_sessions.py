"""Signing in to the staff console: who may, for how long, and what every page then says."""

from __future__ import annotations

import uuid

import pytest

from onething.keys import redis_key
from onething.services.couriers import create_courier
from onething.services.staff import create_staff
from onething.services.console_sessions import IDLE_TIMEOUT
from tests.support.apps import start_app
from tests.support.console import ONE_BACKEND, Desk, form_token
from tests.support.staff_api import PASSWORD

pytestmark = ONE_BACKEND


async def test_a_stranger_is_sent_to_the_sign_in_page_and_back_where_they_were(wired):
    _, client = wired
    response = await client.get("/staff/intake?page=2", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/staff/sign-in?next=/staff/intake%3Fpage%3D2" or \
        response.headers["Location"].startswith("/staff/sign-in?next=/staff/intake")


async def test_signing_in_sets_a_strict_http_only_cookie_and_names_the_role_and_department(wired):
    _, client = wired
    username = f"reviewer-{uuid.uuid4().hex[:8]}"
    await create_staff(username, "reviewer", PASSWORD, department="market")
    page = await client.get("/staff/sign-in")
    response = await client.post("/staff/sign-in", allow_redirects=False, data={
        "username": username, "password": PASSWORD, "csrf": form_token(await page.text())})
    cookie = response.cookies["console_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/staff/"
    assert not cookie["max-age"] and not cookie["secure"]  # plain http here; Redis keeps the idle timeout
    html = await (await client.get("/staff/")).text()
    assert "后台审批" in html and "市场监督管理局" in html


async def test_a_courier_cannot_sign_in_and_a_wrong_password_says_why_keeping_the_name(wired):
    _, client = wired
    courier = f"courier-{uuid.uuid4().hex[:8]}"
    await create_courier(courier, "ems", PASSWORD)
    page = await client.get("/staff/sign-in")
    response = await client.post("/staff/sign-in", data={
        "username": courier, "password": PASSWORD, "csrf": form_token(await page.text())})
    html = await response.text()
    assert response.status == 401 and "用户名或密码不正确" in html and f'value="{courier}"' in html
    assert "console_session" not in client.session.cookie_jar.filter_cookies(client.make_url("/staff/"))


async def test_a_form_without_the_session_token_is_refused(wired):
    _, client = wired
    desk = await Desk.sign_in(client, "clerk-a", "clerk")
    response = await client.post("/staff/sign-out", data={"csrf": "forged"})
    assert response.status == 403 and "页面已过期" in await response.text()
    await desk.get("/staff/")  # still signed in


async def test_the_session_lapses_after_thirty_idle_minutes_and_each_request_slides_it(wired):
    running, client = wired
    desk = await Desk.sign_in(client, "clerk-b", "clerk")
    redis = running.app[redis_key]
    [key] = [k async for k in redis.scan_iter("staff:console:*")]
    await redis.expire(key, 60)
    await desk.get("/staff/")
    assert IDLE_TIMEOUT - 5 < await redis.ttl(key) <= IDLE_TIMEOUT
    await redis.delete(key)  # as Redis does after 30 idle minutes
    response = await client.get("/staff/", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/sign-in")


async def test_signing_out_ends_the_session(wired):
    _, client = wired
    desk = await Desk.sign_in(client, "clerk-c", "clerk")
    await desk.post("/staff/sign-out")
    response = await client.get("/staff/", allow_redirects=False)
    assert response.status == 303


@pytest.mark.parametrize("path", ["/staff/no-such-page", "/staff/cases/999999"])
async def test_what_is_not_there_is_a_chinese_404_page(wired, path):
    _, client = wired
    desk = await Desk.sign_in(client, "clerk-d", "clerk")
    html = await desk.get(path, expect=404)
    assert "未找到" in html and "<html" in html


async def test_pages_load_htmx_from_the_service_under_the_pages_nonce(wired):
    _, client = wired
    response = await client.get("/staff/sign-in")
    html, policy = await response.text(), response.headers["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<script src="/staff/static/htmx-2.0.11.min.js" nonce="{nonce}"' in html
    assert response.headers["Cache-Control"] == "no-store"
    script = await client.get("/staff/static/htmx-2.0.11.min.js")
    assert script.status == 200 and "javascript" in script.content_type
    licence = await client.get("/staff/static/htmx-LICENSE.txt")
    assert licence.status == 200 and "BSD" in await licence.text()


async def test_with_an_s3_store_the_console_may_show_its_files_inline_and_nothing_else_may(
        aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url, s3_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              object_store_url=s3_url)
    client = await aiohttp_client(running.server)
    origin = running.settings.object_store.s3.download_origin
    console = (await client.get("/staff/sign-in")).headers["Content-Security-Policy"]
    assert f"img-src 'self' data: {origin}" in console and f"frame-src 'self' {origin}" in console
    notice = (await client.get("/api/v1/docs")).headers["Content-Security-Policy"]
    assert origin not in notice


async def test_behind_https_the_session_cookie_is_secure(aiohttp_server, aiohttp_client, tmp_path, database_url,
                                                          redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              public_url="https://yishi.example.gov.cn")
    client = await aiohttp_client(running.server)
    username = f"clerk-{uuid.uuid4().hex[:8]}"
    await create_staff(username, "clerk", PASSWORD)
    page = await client.get("/staff/sign-in")
    login = page.cookies["console_login"]
    assert login["secure"]
    # a browser sends a Secure cookie back over https only; this test server speaks http
    response = await client.post("/staff/sign-in", allow_redirects=False, headers={
        "Cookie": f"console_login={login.value}"}, data={
        "username": username, "password": PASSWORD, "csrf": form_token(await page.text())})
    assert response.status == 303 and response.cookies["console_session"]["secure"]
