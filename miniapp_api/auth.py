"""Login with a ``wx.login`` code, bearer tokens, and the per-user and per-IP rate limits."""

from __future__ import annotations

import logging

from aiohttp import web

from onething.keys import redis_key, settings_key, wechat_key
from onething.services import citizens
from onething.web.errors import ApiError
from onething.web.http import read_json, text
from storage.models import Citizen
from storage.redis import hit_rate_limit
from storage.wechat import WeChatError

log = logging.getLogger("onething.miniapp")
CITIZEN = web.RequestKey("citizen", Citizen)
OPEN_PATHS = ("/api/v1/auth/login", "/api/v1/openapi.json", "/api/v1/docs")
OPEN_PREFIXES = ("/api/v1/things",)  # the catalog is public: people read it before signing in
LOGIN_PER_IP = (30, 60)  # requests per window (seconds)


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


async def _limit(request: web.Request, key: str, rule: tuple[int, int]) -> None:
    wait = await hit_rate_limit(request.config_dict[redis_key], key, limit=rule[0], window_seconds=rule[1])
    if wait:
        raise ApiError("too_many_requests", "操作过于频繁，请稍后再试。", status=429,
                       headers={"Retry-After": str(wait)}, details={"retry_after": wait})


@web.middleware
async def citizen_auth(request: web.Request, handler):
    ip = request.remote or "unknown"
    if request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES):
        if request.path == "/api/v1/auth/login":
            await _limit(request, f"rl:login-ip:{ip}", LOGIN_PER_IP)
        return await handler(request)
    settings = request.config_dict[settings_key]
    await _limit(request, f"rl:ip:{ip}", (settings.rate_limit_per_ip, 60))
    token = _bearer(request)
    citizen_id = await citizens.citizen_for_token(request.config_dict[redis_key], token) if token else None
    citizen = await Citizen.get_or_none(id=citizen_id) if citizen_id else None
    if citizen is None:
        raise ApiError("unauthorized", "登录已过期，请重新进入小程序。", status=401,
                       headers={"WWW-Authenticate": "Bearer"})
    await _limit(request, f"rl:user:{citizen.id}", (settings.rate_limit_per_user, 60))
    request[CITIZEN] = citizen
    return await handler(request)


async def login(request: web.Request) -> web.Response:
    code = text(await read_json(request), "code", max_length=128)
    try:
        token, citizen = await citizens.login(request.config_dict[wechat_key], request.config_dict[redis_key], code)
    except WeChatError as exc:
        if exc.invalid_code:
            raise ApiError("invalid_code", "登录凭证无效或已使用，请重新进入小程序。", status=401) from None
        log.warning("WeChat login unavailable", extra={"errcode": exc.errcode})
        raise ApiError("wechat_unavailable", "微信服务暂时不可用，请稍后再试。", status=503) from None
    return web.json_response({"token": token, "expires_in": citizens.TOKEN_TTL, "user": me_json(citizen)})


async def logout(request: web.Request) -> web.Response:
    await citizens.logout(request.config_dict[redis_key], _bearer(request))
    return web.json_response({"ok": True})


def me_json(citizen: Citizen) -> dict:
    return {
        "id": citizen.id, "real_name": citizen.real_name, "id_number": citizen.id_number_hint,
        "mobile": f"{citizen.phone[:3]}****{citizen.phone[-4:]}" if citizen.phone else None,
        "enterprise": {"credit_code": citizen.enterprise_code, "verified": citizen.enterprise_verified}
        if citizen.enterprise_code else None,
    }
