"""What every console page shares: the page table, the navigation by role, rendering and errors.

A page is a ``Page(method, path, handler, roles, nav=...)``; its handler takes the request and
returns a response, usually ``render(request, "console/x.html.j2", **context)``. ``roles`` are
checked before the handler runs (anyone else gets the 404 page, as for a case they may not
see); a page with ``nav`` is listed in the header of the roles that may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from onething.domain.refusals import Refused
from onething.keys import catalog_key, settings_key, templates_key
from onething.services.case_store import Actor
from onething.services.console_sessions import form_token
from onething.services.staff import StaffSession
from onething.web.errors import message_of

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SESSION = web.RequestKey("console_session", StaffSession)
TOKEN = web.RequestKey("console_token", str)
FORM = web.RequestKey("console_form", MultiDictProxy)
ROLE_NAMES = {"clerk": "综合窗口", "reviewer": "后台审批", "supervisor": "科室负责人", "manager": "项目服务经理",
              "admin": "系统管理员"}
ROOT = "/staff"


@dataclass(frozen=True)
class Page:
    method: str
    path: str  # under /staff, e.g. "/intake"
    handler: Handler
    roles: tuple[str, ...]  # who may open it; () for every signed-in staff member
    nav: str = ""  # its title in the header, for the roles above; "" for pages reached from others
    upload: bool = False  # a multipart form: the handler reads it and checks its token (uploads.py)

    def allows(self, role: str) -> bool:
        return not self.roles or role in self.roles


def me(request: web.Request) -> StaffSession:
    return request[SESSION]


def form(request: web.Request) -> MultiDictProxy:
    """The posted form, already read and its token checked by the session middleware."""
    return request.get(FORM) or MultiDictProxy(MultiDict())


def navigation(pages: list[Page], role: str) -> list[dict]:
    return [{"title": p.nav, "href": ROOT + p.path} for p in pages if p.nav and p.method == "GET" and p.allows(role)]


def department_name(request: web.Request, code: str | None) -> str:
    department = request.config_dict[catalog_key].departments.get(code or "")
    return department.name if department else (code or "")


def render(request: web.Request, template: str, status: int = 200, **context) -> web.Response:
    """A page in the console's layout: who is signed in, their navigation, the form token."""
    session = request.get(SESSION)
    if session is not None:
        secret = request.config_dict[settings_key].secret_key
        context.setdefault("csrf", form_token(secret, request[TOKEN]))
        context.update(me=session, role_name=ROLE_NAMES.get(session.role, session.role),
                       department_name=department_name(request, session.department),
                       nav=navigation(request.app[PAGES_KEY], session.role))
    context.setdefault("path", request.path)
    response = aiohttp_jinja2.render_template(template, request, context, app_key=templates_key, status=status)
    response.headers["Cache-Control"] = "no-store"  # a shared desk's back button shows no one else's case
    if request.headers.get("HX-Request"):
        # htmx follows a form's redirect itself: the address bar then shows the page it landed on,
        # never a form's action, which a reload would post to (or GET, which is not there)
        response.headers["HX-Push-Url"] = request.path_qs if request.method == "GET" else "false"
    return response


def refused_page(request: web.Request, exc: Refused) -> web.Response:
    """A refusal nobody's form can show (a case that is not there, a page of another role)."""
    return render(request, "console/error.html.j2", exc.status, message=message_of(request, exc),
                  not_found=exc.status == 404)


def words(request: web.Request, code: str, **details) -> str:
    """A line of a page from the message catalogue (``templates/messages/console.yaml``)."""
    return message_of(request, Refused(code, details=details))


PAGES_KEY = web.AppKey("console_pages", list)


def actor(session: StaffSession) -> Actor:
    return Actor(f"staff:{session.username}", session.role)


def page_number(request: web.Request) -> int:
    """``?page=`` of a queue; anything that is not a page number is the first page."""
    raw = request.query.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
