"""The one gateway to WeChat's HTTP API, shared by mini-program login, the bot and the worker.

wechatpy is synchronous (requests), so every call runs in a thread. Its client is pointed at
``ONETHING_WECHAT_API_BASE`` everywhere (it has no single setting for that), fetches its access
token from ``stable_token`` (repeated calls return the same token, so several processes never
invalidate each other's tokens the way plain ``/cgi-bin/token`` refreshes do), and has a timeout
on every request. In sandbox mode nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from redis import Redis as SyncRedis

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

log = logging.getLogger("onething.wechat")
TIMEOUT = 5  # seconds; WeChat itself answers in well under one
# Errors that say the request itself is wrong (a bad or used login code): retrying cannot help.
INVALID_CODE = {40029, 40163, 40226}


class WeChatError(Exception):
    def __init__(self, errcode: int | None, errmsg: str = ""):
        self.errcode = errcode
        super().__init__(f"WeChat error {errcode}: {errmsg}")

    @property
    def invalid_code(self) -> bool:
        return self.errcode in INVALID_CODE


@dataclass(frozen=True)
class MiniSession:
    openid: str
    session_key: str
    unionid: str | None = None


class WeChatGateway(Protocol):
    async def mini_program_session(self, code: str) -> MiniSession: ...


class SandboxGateway:
    """No WeChat: a login code ``sandbox-<name>`` is the stable sandbox user ``<name>``."""

    async def mini_program_session(self, code: str) -> MiniSession:
        if not code.startswith("sandbox-") or len(code) <= len("sandbox-"):
            raise WeChatError(40029, "sandbox mode accepts only codes sandbox-<name>")
        return MiniSession(openid=f"sandbox-{code[len('sandbox-'):]}", session_key="sandbox")


class _Client(WeChatClient):
    """wechatpy's client with our API root and a shared, stable access token."""

    def __init__(self, appid: str, secret: str, api_base: str, session):
        self.API_BASE_URL = api_base + "cgi-bin/"
        self._api_base = api_base
        super().__init__(appid, secret, session=session, timeout=TIMEOUT, auto_retry=False)
        self.wxa.API_BASE_URL = api_base

    def fetch_access_token(self):
        response = self._http.post(
            self._api_base + "cgi-bin/stable_token",
            json={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                  "force_refresh": False},
            timeout=TIMEOUT,
        )
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg", ""), client=self)
        expires_in = int(result.get("expires_in", 7200))
        # Renew a little early: WeChat keeps the old token valid for 5 minutes after renewal.
        self.session.set(self.access_token_key, result["access_token"], expires_in - 300)
        self.expires_at = int(time.time()) + expires_in - 300
        return result


class WeChatApi:
    def __init__(self, *, mp_appid: str, mp_secret: str, api_base: str, token_storage=None):
        self._mini = _Client(mp_appid, mp_secret, api_base, token_storage or MemoryStorage())

    async def mini_program_session(self, code: str) -> MiniSession:
        try:
            result = await asyncio.to_thread(self._mini.wxa.code_to_session, code)
        except WeChatClientException as exc:
            raise WeChatError(exc.errcode, exc.errmsg) from None
        except OSError as exc:  # requests' connection errors and timeouts
            raise WeChatError(None, type(exc).__name__) from None
        return MiniSession(openid=result["openid"], session_key=result["session_key"],
                           unionid=result.get("unionid"))


def open_gateway(settings) -> tuple[WeChatGateway, Callable[[], None]]:
    """The gateway the settings call for, and how to close it."""
    if settings.mini_program is None:
        return SandboxGateway(), lambda: None
    if settings.redis_url is None:
        storage, close = MemoryStorage(), (lambda: None)
    else:
        # wechatpy's token storage is synchronous: it gets its own blocking client, and every
        # process shares the one token through it.
        sync_redis = SyncRedis.from_url(settings.redis_url, socket_timeout=5)
        storage, close = RedisStorage(sync_redis, prefix="wechatpy"), sync_redis.close
    api = WeChatApi(mp_appid=settings.mini_program.appid, mp_secret=settings.mini_program.secret,
                    api_base=settings.wechat_api_base, token_storage=storage)
    return api, close
