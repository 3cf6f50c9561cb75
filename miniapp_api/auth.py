"""Login with a ``wx.login`` code, bearer tokens, and the per-user and per-IP rate limits."""

from __future__ import annotations

import hashlib
import json
import logging
import time

from aiohttp import web

from onething.domain.refusals import Refused
from onething.keys import messages_key, redis_key, settings_key, wechat_key
from onething.services import applicant_cases, citizens
from onething.web.clients import client_address
from onething.web.errors import ApiError, message_of
from onething.web.http import json_response, read_json
from onething.web.login_limits import throttled_login
from storage.wechat import WeChatError

log = logging.getLogger("onething.miniapp")
CITIZEN = web.RequestKey("citizen", object)
CITIZEN_ID = web.RequestKey("citizen_id", int)
PREFETCHED = web.RequestKey("prefetched", object)
OPEN_PATHS = ("/api/v1/auth/login", "/api/v1/openapi.json", "/api/v1/docs")
OPEN_PREFIXES = ("/api/v1/things",)  # the catalog is public: people read it before signing in


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else ""


def _too_many(wait: int) -> Refused:
    return Refused("too_many_requests", status=429, headers={"Retry-After": str(wait)}, details={"retry_after": wait})


def _expired(request: web.Request, **headers: str) -> Refused:
    # still ``unauthorized`` for programs; the citizen reads that signing in again is all it takes
    return Refused("unauthorized", message_of(request, Refused("session_expired")), status=401, headers=headers)


def ride_along(app: web.Application, routes) -> None:
    """Give each checked handler the router calls its declared handler's ``prefetch`` (see citizen_auth)."""
    declared = {(r.method, r.path): r.handler for r in routes}
    for route in app.router.routes():
        handler = declared.get((route.method, route.resource.canonical if route.resource else ""))
        if handler is not None and hasattr(handler, "prefetch"):
            route.handler.prefetch = handler.prefetch


@web.middleware
async def citizen_auth(request: web.Request, handler):
    ip = client_address(request)  # behind the reverse proxy, the citizen's own
    redis = request.config_dict[redis_key]
    if request.path in OPEN_PATHS or request.path.startswith(OPEN_PREFIXES):
        return await handler(request)  # the login counts its own tries, per address
    # One round trip to Redis: the session and both rate-limit counters together.
    settings = request.config_dict[settings_key]
    token = _bearer(request)
    window = int(time.time()) // 60
    ip_key, token_key = f"rl:ip:{ip}:{window}", f"rl:tok:{_digest(token)}:{window}"
    # A handler may name one more key it will read (its ``prefetch``): it rides along.
    prefetch = getattr(request.match_info.handler, "prefetch", None)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.get(citizens.token_key(token))
        pipe.incr(ip_key)
        pipe.expire(ip_key, 61)
        pipe.incr(token_key)
        pipe.expire(token_key, 61)
        if prefetch is not None:
            pipe.get(prefetch(request))
        session, ip_hits, _, token_hits, _, *fetched = await pipe.execute()
    if fetched:
        request[PREFETCHED] = fetched[0]
    wait = 60 - int(time.time()) % 60 or 1
    if ip_hits > settings.rate_limit_per_ip:
        raise _too_many(wait)
    if not token or session is None:
        raise _expired(request, **{"WWW-Authenticate": "Bearer"})
    if token_hits > settings.rate_limit_per_user:
        raise _too_many(wait)
    request[CITIZEN_ID] = json.loads(session)["citizen"]
    return await handler(request)


async def current_citizen(request: web.Request):
    """The signed-in citizen's row, read once per request and only by handlers that need it."""
    if CITIZEN not in request:
        citizen = await applicant_cases.citizen(request[CITIZEN_ID])
        if citizen is None:
            raise _expired(request)
        request[CITIZEN] = citizen
    return request[CITIZEN]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


async def login(request: web.Request) -> web.Response:
    code = (await read_json(request))["code"].strip()
    try:
        token, citizen = await throttled_login(request, "citizen", None, lambda: citizens.login(
            request.config_dict[wechat_key], request.config_dict[redis_key], code))
    except WeChatError as exc:
        if exc.invalid_code:
            # the code clients know; its words are the login's own (invalid_code is also the pickup code's)
            said = request.config_dict[messages_key].render("login.invalid_code")
            raise ApiError("invalid_code", said, status=401) from None
        log.warning("WeChat login unavailable", extra={"errcode": exc.errcode})
        raise ApiError("wechat_unavailable", status=503) from None
    return json_response({"token": token, "expires_in": citizens.TOKEN_TTL, "user": me_json(citizen)})


async def logout(request: web.Request) -> web.Response:
    await citizens.logout(request.config_dict[redis_key], _bearer(request))
    return json_response({"ok": True})


def me_json(citizen) -> dict:
    return {
        "id": citizen.id, "real_name": citizen.real_name, "id_number": citizen.id_number_hint,
        "mobile": citizen.phone_hint,
        "enterprise": {"credit_code": citizen.enterprise_code, "verified": citizen.enterprise_verified}
        if citizen.enterprise_code else None,
    }
