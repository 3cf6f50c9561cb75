"""Security headers on every response, and a content policy on every HTML page.

Pages are rendered by the service itself (the courier page, the slip, the notice, the API docs,
and whatever console comes): they load nothing from elsewhere, run only scripts carrying this
response's nonce, and may not be framed except, for the back office's printable pages, by the
service's own pages. An uploaded file served as HTML meets the same policy, so it runs nothing.
"""

from __future__ import annotations

import secrets
from contextvars import ContextVar

from aiohttp import web

NONCE = web.RequestKey("csp_nonce", str)  # made when first asked for: a page or a template asks
# The object store's origin when it is not the service's own: the back office's pages show an
# applicant's PDFs and pictures inline from there, through its short-lived links.
FILES_ORIGIN = web.AppKey("files_origin", str)
# the request being served, for templates' csp_nonce(): set by the app's middleware
_serving: ContextVar[web.Request | None] = ContextVar("csp_request", default=None)
FRAMED_BY_OWN_PAGES = ("/staff/",)  # the slip and the notice, printed from the console to come
# WeChat's browser sends the whole URL as Referer, and a courier page's URL is a delivery code
REFERRER_POLICY = "no-referrer"


def csp_nonce() -> str:
    """For templates: ``<script nonce="{{ csp_nonce() }}">``; outside a request, none."""
    request = _serving.get()
    return "" if request is None else nonce_of(request)


def nonce_of(request: web.Request) -> str:
    """This response's nonce: made (unpredictable, its own) the first time a template or the
    page's policy asks, so an answer that is not a page (JSON, the bot's XML) never makes one."""
    nonce = request.get(NONCE)
    if nonce is None:
        nonce = request[NONCE] = secrets.token_urlsafe(16)
    return nonce


def serving(request: web.Request):
    """The middleware's part: templates rendered while ``request`` is served use its nonce."""
    return _serving.set(request)


def served(token) -> None:
    _serving.reset(token)


def policy(nonce: str, frame_ancestors: str, files: str = "") -> str:
    shown = f" {files}" if files else ""
    return "; ".join([
        "default-src 'self'", f"script-src 'nonce-{nonce}'", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data:{shown}", *([f"frame-src 'self'{shown}"] if files else []), "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", f"frame-ancestors {frame_ancestors}",
    ])


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: also reaches responses no handler returned (errors, streamed files)."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if response.content_type != "text/html":
        return
    own_frames = request.path.startswith(FRAMED_BY_OWN_PAGES)
    # the nonce its template used, or a new one no script on the page carries: then none runs
    nonce = nonce_of(request)
    files = request.config_dict.get(FILES_ORIGIN, "") if own_frames else ""
    headers["Content-Security-Policy"] = policy(nonce, "'self'" if own_frames else "'none'", files)
    headers["X-Frame-Options"] = "SAMEORIGIN" if own_frames else "DENY"
    headers["Referrer-Policy"] = REFERRER_POLICY


def setup(app: web.Application) -> None:
    """The headers; the app's middleware (``onething.web.requests.edge_middleware``) serves the nonce."""
    app.on_response_prepare.append(add_headers)
