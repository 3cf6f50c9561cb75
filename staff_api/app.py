"""Back office for window clerks, reviewers, supervisors and admins (``/staff/api/v1``).

One table of routes: each declares its roles (checked before anything of the request is read),
its query, body and answer; the same table writes the OpenAPI document.
"""

from __future__ import annotations

from aiohttp import web

from onething.web.routes import mount
from . import (auth, bulletins, cases, conversations, credit, enterprises, extensions, figures, form_reveal, inbox,
               issues, ledger, outbox, projects, shipments as shipments_staff, supervision, tasks, things)
from .session import authorise, staff_auth

PREFIX, TITLE = "/staff/api/v1", "onething 工作人员接口"
# The service managers' endpoints (enterprises, messages, projects, the issue ledger, the inbox),
# the window's and the reviewers', supervision, its figures and its monthly bulletin, the outbox, the §42
# extensions, the credit blacklist, shipments and courier accounts.
ROUTES = [*enterprises.ROUTES, *conversations.ROUTES, *projects.ROUTES, *issues.ROUTES, *ledger.ROUTES,
          *inbox.ROUTES, *auth.ROUTES, *cases.ROUTES, *tasks.ROUTES, *things.ROUTES, *supervision.ROUTES,
          *figures.ROUTES, *outbox.ROUTES, *extensions.ROUTES, *credit.ROUTES, *form_reveal.ROUTES,
          *shipments_staff.ROUTES, *bulletins.ROUTES]


def create_app() -> web.Application:
    app = web.Application(middlewares=[staff_auth])
    mount(app, ROUTES, prefix=PREFIX, title=TITLE, authorise=authorise)
    return app
