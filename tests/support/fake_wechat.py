"""A local stand-in for WeChat's API server (api.weixin.qq.com) that wechatpy is pointed at.

It answers like WeChat does: each account (the mini-program, the official account) gets its
own access token from ``stable_token``, and every API checks the token belongs to the account
it serves (a subscribe message needs the mini-program's, a customer-service message the
official account's). Tests script failures per call and openid, rotate tokens, and read what
reached WeChat from ``SENT``.

Openids follow one convention so the two sides link up: the mini-program user ``o<name>`` and
the follower ``oa-<name>`` are the same person, with unionid ``u<name>``.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict

from aiohttp import web

APPID, SECRET = "wx-test-miniprogram", "mp-secret-0123456789"
OA_APPID, OA_SECRET = "wx-test-official-account", "oa-secret-0123456789"
CALLS = web.AppKey("calls", list)  # (name, parameters) of every call
SENT = web.AppKey("sent", list)  # (name, body) of every message WeChat accepted
SCRIPT = web.AppKey("script", dict)  # (name, openid) -> errcodes to answer, one per call, then success
TOKENS = web.AppKey("tokens", dict)  # appid -> the access token valid now
ACCOUNTS = {APPID: SECRET, OA_APPID: OA_SECRET}
_serial = itertools.count(1)
SLOW = "slow"  # scripted: the message is delivered but the answer comes after the caller gave up


def script(app: web.Application, name: str, openid: str, *errcodes: int) -> None:
    app[SCRIPT][(name, openid)].extend(errcodes)


def rotate_token(app: web.Application, appid: str) -> None:
    """Renew an account's token the way another client's plain refresh would: the old one dies."""
    app[TOKENS][appid] = f"ACCESS-TOKEN-{appid}-{next(_serial)}"


def is_receipt(body: dict) -> bool:
    """The "已收到您的申请" confirmation every submission sends, on whichever channel it went."""
    return (body.get("text", {}).get("content", "").startswith("已收到您的申请")
            or body.get("data", {}).get("phrase3", {}).get("value") == "已收到")


def texts_to(app: web.Application, openid: str) -> list[str]:
    """The customer-service texts WeChat accepted for one follower, in order."""
    return [body["text"]["content"] for name, body in app[SENT] if name == "oa_text" and body["touser"] == openid]


def unionid_of(openid: str) -> str:
    return "u" + (openid[3:] if openid.startswith("oa-") else openid[1:])


async def stable_token(request: web.Request) -> web.Response:
    body = await request.json()
    request.app[CALLS].append(("stable_token", body))
    appid = body.get("appid")
    if ACCOUNTS.get(appid) != body.get("secret"):
        return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
    tokens = request.app[TOKENS]
    if appid not in tokens or body.get("force_refresh"):
        rotate_token(request.app, appid)
    return web.json_response({"access_token": tokens[appid], "expires_in": 7200})


async def jscode2session(request: web.Request) -> web.Response:
    query = request.query
    request.app[CALLS].append(("jscode2session", dict(query)))
    if (query.get("appid"), query.get("secret")) != (APPID, SECRET):
        return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
    code = query.get("js_code", "")
    if code.startswith("good-"):
        name = code[5:]
        return web.json_response({"openid": f"o{name}", "session_key": "c2Vzc2lvbi1rZXk=", "unionid": f"u{name}"})
    if code == "used":
        return web.json_response({"errcode": 40163, "errmsg": "code been used"})
    if code == "busy":
        return web.json_response({"errcode": -1, "errmsg": "system error"})
    return web.json_response({"errcode": 40029, "errmsg": "invalid code"})


def _api(name: str, appid: str, answer, delay: float = 0.0):
    """An API of one account: token checked, call recorded, scripted errors answered first; a
    message taken is answered ``delay`` seconds later (it counts as delivered when taken)."""

    async def handler(request: web.Request) -> web.Response:
        body = await request.json() if request.can_read_body else {}
        request.app[CALLS].append((name, body or dict(request.query)))
        if request.query.get("access_token") != request.app[TOKENS].get(appid):
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"})
        openid = body.get("touser") or request.query.get("openid", "")
        pending = request.app[SCRIPT][(name, openid)]
        if pending:
            errcode = pending.pop(0)
            if errcode == SLOW:  # takes it, answers too late
                request.app[SENT].append((name, body))
                await asyncio.sleep(1.5)
                return web.json_response({"errcode": 0, "errmsg": "ok"})
            return web.json_response({"errcode": errcode, "errmsg": f"scripted error {errcode}"})
        request.app[SENT].append((name, body))
        if delay:
            await asyncio.sleep(delay)
        return web.json_response({"errcode": 0, "errmsg": "ok", **answer(body, request)})

    return handler


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64  # what the media of a contact's photo downloads as


async def media(request: web.Request) -> web.Response:
    request.app[CALLS].append(("media", dict(request.query)))
    if request.query.get("access_token") != request.app[TOKENS].get(OA_APPID):
        return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
    if not request.query.get("media_id", "").startswith("MEDIA-"):
        return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
    return web.Response(body=JPEG, content_type="image/jpeg")


def create_fake_wechat(*, send_delay: float = 0.0) -> web.Application:
    """``send_delay``: how long WeChat takes to answer each message it is sent (a slow day)."""
    app = web.Application()
    app[CALLS], app[SENT], app[SCRIPT], app[TOKENS] = [], [], defaultdict(list), {}
    app.router.add_post("/cgi-bin/stable_token", stable_token)
    app.router.add_get("/sns/jscode2session", jscode2session)
    nothing = lambda body, request: {}  # noqa: E731
    app.router.add_post("/cgi-bin/message/subscribe/send", _api("mp_subscribe", APPID, nothing, send_delay))
    app.router.add_post("/cgi-bin/message/subscribe/bizsend", _api("oa_subscribe", OA_APPID, nothing, send_delay))
    app.router.add_post("/cgi-bin/message/custom/send", _api("oa_text", OA_APPID, nothing, send_delay))
    app.router.add_post("/cgi-bin/message/template/send", _api("oa_template", OA_APPID,
                                                               lambda body, request: {"msgid": next(_serial)},
                                                               send_delay))
    app.router.add_post("/cgi-bin/menu/create", _api("menu", OA_APPID, nothing))
    app.router.add_post("/cgi-bin/qrcode/create", _api("qrcode", OA_APPID, lambda body, request: {
        "ticket": f"TICKET-{next(_serial)}", "expire_seconds": body.get("expire_seconds", 0),
        "url": f"http://weixin.qq.com/q/{body['action_info']['scene']['scene_str']}"}))
    app.router.add_get("/cgi-bin/user/info", _api("user_info", OA_APPID, lambda body, request: {
        "subscribe": 1, "openid": request.query["openid"], "unionid": unionid_of(request.query["openid"])}))
    app.router.add_get("/cgi-bin/media/get", media)
    return app
