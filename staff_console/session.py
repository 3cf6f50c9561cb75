"""Signing in and out of the console, and the middleware every page passes through.

The session cookie is HttpOnly and SameSite=Strict (Secure behind https); it lapses after 30
idle minutes (``onething.services.console_sessions``). Every POST carries the session's form
token, checked here before any handler runs. The sign-in form, made before there is a session,
carries a random token that must match a cookie of its own (double submit). The login is the
API's: the same accounts, the same throttle, couriers refused.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import quote

from aiohttp import web
from multidict import MultiDictProxy

from onething.domain.refusals import Refused
from onething.keys import redis_key, settings_key
from onething.services import console_sessions, staff as accounts
from onething.web.errors import message_of
from onething.web.login_limits import throttled_login
from onething.web.validation import UNSTORABLE
from .framework import FORM, PAGES_KEY, ROOT, SESSION, TOKEN, me, navigation, refused_page, render, words

log = logging.getLogger("onething.console")
COOKIE, LOGIN_COOKIE = "console_session", "console_login"
OPEN = (f"{ROOT}/sign-in", f"{ROOT}/static/")


def _secure(request: web.Request) -> bool:
    return request.config_dict[settings_key].public_url.startswith("https:")


def _set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    # no max_age: the browser forgets it when closed; Redis forgets it after the idle timeout
    response.set_cookie(name, value, path=f"{ROOT}/", httponly=True, samesite="Strict", secure=_secure(request))


async def read_form(request: web.Request) -> MultiDictProxy:
    """A posted form as text; what no text can hold (bytes that are not UTF-8, NUL, a file) is a 400."""
    try:
        posted = await request.post()
    except (UnicodeDecodeError, ValueError):
        raise Refused("bad_request", status=400) from None
    if not all(isinstance(v, str) and not UNSTORABLE.search(v) for v in posted.values()):
        raise Refused("bad_request", status=400)
    return posted


def _safe_next(path: str) -> str:
    return path if path.startswith(f"{ROOT}/") and not path.startswith("//") and "\\" not in path else f"{ROOT}/"


@web.middleware
async def console_session(request: web.Request, handler):
    if request.path.startswith(OPEN):
        return await handler(request)
    token = request.cookies.get(COOKIE, "")
    session = await console_sessions.find_session(request.config_dict[redis_key], token)
    if session is None or session.role == "courier":
        where = request.path if request.method == "GET" else f"{ROOT}/"
        raise web.HTTPSeeOther(f"{ROOT}/sign-in?next={quote(where)}")
    request[SESSION], request[TOKEN] = session, token
    page = getattr(request.match_info.handler, "page", None)
    try:
        if page is not None and not page.allows(session.role):
            raise Refused("not_found", status=404)  # another post's page does not exist for this one
        if request.method == "POST" and not (page is not None and page.upload):
            given = await read_form(request)
            secret = request.config_dict[settings_key].secret_key
            if not console_sessions.form_token_ok(secret, token, given.get("csrf", "")):
                raise Refused("console.form_expired", status=403)
            request[FORM] = given
        return await handler(request)
    except Refused as exc:
        return refused_page(request, exc)
    except web.HTTPNotFound:
        return refused_page(request, Refused("not_found", status=404))


def _sign_in_page(request: web.Request, next_path: str, error: str = "", status: int = 200,
                  username: str = "") -> web.Response:
    login_token = secrets.token_urlsafe(24)
    response = render(request, "console/sign_in.html.j2", status, next=next_path, error=error, username=username,
                      csrf=login_token)
    _set_cookie(request, response, LOGIN_COOKIE, login_token)
    return response


async def sign_in_form(request: web.Request) -> web.Response:
    return _sign_in_page(request, _safe_next(request.query.get("next", "")))


async def sign_in(request: web.Request) -> web.Response:
    try:
        given = await read_form(request)
    except Refused as exc:
        return _sign_in_page(request, f"{ROOT}/", message_of(request, exc), exc.status)
    next_path, username = _safe_next(given.get("next", "")), given.get("username", "")[:64].strip()
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.get("csrf", "").encode()):
        return _sign_in_page(request, next_path, words(request, "console.form_expired"), 403, username)

    async def attempt():
        user = await accounts.authenticate(username, given.get("password", "")[:256].strip())
        if user is None or user.role == "courier":  # couriers have their own page, never this one
            log.info("console login refused")
            raise Refused("bad_credentials", status=401)
        return user

    try:
        user = await throttled_login(request, "staff", username, attempt)
    except Refused as exc:
        return _sign_in_page(request, next_path, message_of(request, exc), exc.status, username)
    response = web.HTTPSeeOther(next_path)
    _set_cookie(request, response, COOKIE, await console_sessions.open_session(request.config_dict[redis_key], user))
    response.del_cookie(LOGIN_COOKIE, path=f"{ROOT}/")
    raise response


async def sign_out(request: web.Request) -> web.Response:
    await console_sessions.close_session(request.config_dict[redis_key], request[TOKEN])
    response = web.HTTPSeeOther(f"{ROOT}/sign-in")
    response.del_cookie(COOKIE, path=f"{ROOT}/")
    raise response


async def home(request: web.Request) -> web.Response:
    """Each post starts at its first page; a post whose pages are yet to come sees a plain welcome."""
    links = navigation(request.app[PAGES_KEY], me(request).role)
    if links:
        raise web.HTTPSeeOther(links[0]["href"])
    return render(request, "console/home.html.j2")
