"""A local stand-in for WeChat's API server (api.weixin.qq.com) that wechatpy is pointed at.

It answers like WeChat does, checks the credentials it is called with, and records every call
so tests can assert what reached WeChat.
"""

from __future__ import annotations

from aiohttp import web

APPID, SECRET = "wx-test-miniprogram", "mp-secret-0123456789"
CALLS = web.AppKey("calls", list)


async def stable_token(request: web.Request) -> web.Response:
    body = await request.json()
    request.app[CALLS].append(("stable_token", body))
    if (body.get("appid"), body.get("secret")) != (APPID, SECRET):
        return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
    return web.json_response({"access_token": "ACCESS-TOKEN-1", "expires_in": 7200})


async def jscode2session(request: web.Request) -> web.Response:
    query = request.query
    request.app[CALLS].append(("jscode2session", dict(query)))
    if (query.get("appid"), query.get("secret")) != (APPID, SECRET):
        return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
    code = query.get("js_code", "")
    if code.startswith("good-"):
        return web.json_response({"openid": f"o{code[5:]}", "session_key": "c2Vzc2lvbi1rZXk="})
    if code == "used":
        return web.json_response({"errcode": 40163, "errmsg": "code been used"})
    if code == "busy":
        return web.json_response({"errcode": -1, "errmsg": "system error"})
    return web.json_response({"errcode": 40029, "errmsg": "invalid code"})


def create_fake_wechat() -> web.Application:
    app = web.Application()
    app[CALLS] = []
    app.router.add_post("/cgi-bin/stable_token", stable_token)
    app.router.add_get("/sns/jscode2session", jscode2session)
    return app
