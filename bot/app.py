from aiohttp import web

from . import http
from .resources import RESOURCES


def create_app() -> web.Application:
    app = web.Application()
    app[RESOURCES] = {}
    app.router.add_get("/wechat", http.verify)
    app.router.add_post("/wechat", http.receive)
    return app
