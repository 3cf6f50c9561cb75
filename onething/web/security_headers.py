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

NONCE = web.RequestKey("csp_nonce", str)
# The object store's origin when it is not the service's own: the back office's pages show an
# applicant's PDFs and pictures inline from there, through its short-lived links.
FILES_ORIGIN = web.AppKey("files_origin", str)
csp_nonce_var: ContextVar[str] = ContextVar("csp_nonce", default="")
FRAMED_BY_OWN_PAGES = ("/staff/",)  # the slip and the notice, printed from the console to come
# WeChat's browser sends the whole URL as Referer, and a courier page's URL is a delivery code
REFERRER_POLICY = "no-referrer"


def csp_nonce() -> str:
    """For templates: ``<script nonce="{{ csp_nonce() }}">``."""
    return csp_nonce_var.get()


def policy(nonce: str, frame_ancestors: str, files: str = "") -> str:
    shown = f" {files}" if files else ""
    return "; ".join([
        "default-src 'self'", f"script-src 'nonce-{nonce}'", "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data:{shown}", *([f"frame-src 'self'{shown}"] if files else []), "object-src 'none'",
        "base-uri 'none'", "form-action 'self'", f"frame-ancestors {frame_ancestors}",
    ])


@web.middleware
async def nonce_middleware(request: web.Request, handler) -> web.StreamResponse:
    nonce = secrets.token_urlsafe(16)
    request[NONCE] = nonce
    token = csp_nonce_var.set(nonce)
    try:
        return await handler(request)
    finally:
        csp_nonce_var.reset(token)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: also reaches responses no handler returned (errors, streamed files)."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if response.content_type != "text/html":
        return
    own_frames = request.path.startswith(FRAMED_BY_OWN_PAGES)
    # a response made outside the middleware has no nonce of its own: then it runs no script at all
    nonce = request.get(NONCE) or "none-" + secrets.token_urlsafe(16)
    files = request.config_dict.get(FILES_ORIGIN, "") if own_frames else ""
    headers["Content-Security-Policy"] = policy(nonce, "'self'" if own_frames else "'none'", files)
    headers["X-Frame-Options"] = "SAMEORIGIN" if own_frames else "DENY"
    headers["Referrer-Policy"] = REFERRER_POLICY


def setup(app: web.Application) -> None:
    app.middlewares.insert(0, nonce_middleware)
    app.on_response_prepare.append(add_headers)
