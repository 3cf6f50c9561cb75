from aiohttp import web

from . import http


def create_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/wechat", http.verify)
    app.router.add_post("/wechat", http.receive)
    return app
