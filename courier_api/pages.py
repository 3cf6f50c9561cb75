"""The courier's mobile page (``/courier/s/{token}``): plain HTML forms that work in WeChat's browser.

The session is an HttpOnly cookie. It is SameSite=Lax rather than Strict because WeChat may count
opening a scanned link as arriving from another site, and Strict would then ask for a login on
every scan; what Lax lets through is top-level GETs only, and every POST also carries a per-form
token derived from the session, which another site cannot know.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from onething.domain.refusals import Refused
from onething.domain.shipment import ACTION_NAMES, FAIL_REASONS, RESULT
from onething.keys import redis_key, settings_key, templates_key, workflow_key
from onething.services import couriers, shipments
from onething.services.shipment_views import courier_view_of
from onething.services.staff import StaffSession, close_session
from onething.web.errors import message_of
from onething.web.validation import UNSTORABLE
from .access import courier_actor, find_shipment
from .access import login as courier_login

COOKIE = "courier_session"
SCAN_PREFIX = "/courier/s/"


def _words(request: web.Request, code: str, **details) -> str:
    """A line of the page, from the message catalogue (``templates/messages/couriers.yaml``)."""
    return message_of(request, Refused(code, details=details))


def _render(request: web.Request, template: str, status: int = 200, **context) -> web.Response:
    html = request.config_dict[templates_key].get_template(template).render(**context)
    response = web.Response(text=html, content_type="text/html", status=status)
    response.headers["Cache-Control"] = "no-store"  # a shared phone's back button must not show old state
    return response


def _error(request: web.Request, status: int, title: str, message: str) -> web.Response:
    return _render(request, "courier_error.html.j2", status, title=_words(request, title), message=message)


class Unreadable(Refused):
    status = 400


async def _form(request: web.Request):
    """The page's form, refused when a field holds what no text can: bytes that are not UTF-8, NUL, a file."""
    try:
        form = await request.post()
    except (UnicodeDecodeError, ValueError):
        raise Unreadable("bad_request") from None
    if not all(isinstance(v, str) and not UNSTORABLE.search(v) for v in form.values()):
        raise Unreadable("bad_request")
    return form


async def _session(request: web.Request) -> tuple[StaffSession | None, str]:
    token = request.cookies.get(COOKIE, "")
    return await couriers.find_session(request.config_dict[redis_key], token), token


def _login_page(request: web.Request, next_path: str, error: str = "", status: int = 200) -> web.Response:
    return _render(request, "courier_login.html.j2", status, next=next_path, error=error)


async def _page(request: web.Request, session: StaffSession, token: str, *, message: str = "",
                error: str = "", status: int = 200) -> web.Response:
    try:
        row = await find_shipment(request, session)
    except Refused as exc:
        return _error(request, exc.status, "courier_page.cannot_open", message_of(request, exc))
    shown = await courier_view_of(row, courier_actor(session), request.config_dict[workflow_key])
    return _render(request, "courier_shipment.html.j2", status, shipment=shown,
                   message=message, error=error, reasons=FAIL_REASONS, action_path=request.path,
                   form_token=couriers.form_token(request.config_dict[settings_key].secret_key, token))


async def show(request: web.Request) -> web.Response:
    session, token = await _session(request)
    if session is None:
        return _login_page(request, request.path)
    done = request.query.get("done", "")
    message = ""
    if done in ACTION_NAMES:
        again = request.query.get("again") == "1"
        message = _words(request, "courier_page.recorded", action_name=ACTION_NAMES[done], again=again)
    return await _page(request, session, token, message=message)


async def act(request: web.Request) -> web.Response:
    session, token = await _session(request)
    if session is None:
        return _login_page(request, request.path, _words(request, "courier_page.session_expired"), status=401)
    try:
        form = await _form(request)
    except Refused as exc:
        return _error(request, exc.status, "courier_page.not_done", message_of(request, exc))
    secret = request.config_dict[settings_key].secret_key
    if not couriers.form_token_ok(secret, token, str(form.get("csrf", ""))):
        return _error(request, 403, "courier_page.not_done", _words(request, "courier_page.form_expired"))
    action = str(form.get("action", ""))
    if action not in RESULT:
        return _error(request, 400, "courier_page.not_done", _words(request, "unknown_action"))
    try:
        row = await find_shipment(request, session)
    except Refused as exc:
        return _error(request, exc.status, "courier_page.cannot_open", message_of(request, exc))
    try:
        _, recorded = await shipments.scan(
            request.config_dict[workflow_key], row.id, courier_actor(session), action,
            pickup_code=str(form.get("pickup_code", ""))[:16], reason=str(form.get("reason", ""))[:200],
            location=shipments.Location.of(form.get("latitude"), form.get("longitude")))
    except Refused as exc:  # the rules said no: the page again, saying why
        return await _page(request, session, token, error=message_of(request, exc), status=exc.status)
    # Post/redirect/get: refreshing the page afterwards does not send the form again.
    raise web.HTTPSeeOther(f"{request.path}?done={action}" + ("" if recorded else "&again=1"))


async def login_form(request: web.Request) -> web.Response:
    return _login_page(request, _safe_next(request.query.get("next", "")))


async def login(request: web.Request) -> web.Response:
    try:
        form = await _form(request)
    except Refused as exc:
        return _login_page(request, "/courier/", message_of(request, exc), status=exc.status)
    username, password = str(form.get("username", ""))[:64].strip(), str(form.get("password", ""))[:256]
    next_path = _safe_next(str(form.get("next", "")))
    try:
        signed_in = await courier_login(request, username, password)
    except Refused as exc:  # a wrong password, or too many tries
        return _login_page(request, next_path, message_of(request, exc), status=exc.status)
    response = web.HTTPSeeOther(next_path)
    response.set_cookie(COOKIE, signed_in[0], max_age=couriers.SESSION_TTL, path="/courier/", httponly=True,
                        samesite="Lax", secure=request.config_dict[settings_key].public_url.startswith("https:"))
    raise response


async def logout(request: web.Request) -> web.Response:
    session, token = await _session(request)
    try:
        form = await _form(request)
    except Refused:
        form = {}  # signed out all the same, if not this session
    if session is not None and couriers.form_token_ok(request.config_dict[settings_key].secret_key, token,
                                                      str(form.get("csrf", ""))):
        await close_session(request.config_dict[redis_key], token)
    response = _login_page(request, "/courier/")
    response.del_cookie(COOKIE, path="/courier/")
    return response


async def home(request: web.Request) -> web.Response:
    session, _ = await _session(request)
    if session is None:
        return _login_page(request, "/courier/")
    return _error(request, 200, "courier_page.signed_in", _words(request, "courier_page.scan_a_label"))


def _safe_next(value: str) -> str:
    """Only back to a scan page of ours: never an open redirect."""
    if value.startswith(SCAN_PREFIX) and "/" not in value[len(SCAN_PREFIX):] and "?" not in value:
        return SCAN_PREFIX + quote(value[len(SCAN_PREFIX):], safe="-_")
    return "/courier/"


def setup(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/login", login_form)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/s/{token}", show)
    app.router.add_post("/s/{token}", act)
