"""The console's sub-application: its pages, the sign-in, and the static files it ships."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from . import admin, bulletin, figures, manager, projects, review, session, supervisor, window, window_out
from .framework import PAGES_KEY, Page

STATIC = "htmx-2.0.11.min.js"  # the htmx.org release shipped beside its licence, templates/console/static/
# The console's own pages; each post's module adds its list here (see the package docstring).
PAGES: list[Page] = [
    Page("GET", "/sign-in", session.sign_in_form, ()),
    Page("POST", "/sign-in", session.sign_in, ()),
    Page("POST", "/sign-out", session.sign_out, ()),
    Page("GET", "/", session.home, ()),
    *window.PAGES, *window_out.PAGES, *review.PAGES,
    *manager.PAGES, *projects.PAGES, *supervisor.PAGES, *figures.PAGES,
    *bulletin.PAGES, *admin.PAGES,
]


def _guarded(page: Page):
    async def handler(request: web.Request) -> web.StreamResponse:
        return await page.handler(request)
    handler.page = page  # the session middleware checks its roles before it runs
    return handler


def create_app(pages: list[Page] | None = None) -> web.Application:
    app = web.Application(middlewares=[session.console_session])
    app[PAGES_KEY] = pages = PAGES if pages is None else pages
    for page in pages:
        app.router.add_route(page.method, page.path, _guarded(page))
    static = resources.files("onething.templates") / "console" / "static"
    app.router.add_static("/static/", str(static), append_version=False)
    return app
