"""WeChat's HTTP API through wechatpy, for the mini-program and the official account.

wechatpy is synchronous (requests), so every call runs in a thread. Its clients are pointed at
``ONETHING_WECHAT_API_BASE`` everywhere (it has no single setting for that), fetch their access
tokens from ``stable_token`` (repeated calls return the same token, so several processes never
invalidate each other's tokens the way plain ``/cgi-bin/token`` refreshes do), keep them in
Redis for every process, and time out every request. A token WeChat calls stale is dropped and
fetched again once; the retry cannot storm because ``stable_token`` does not renew it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable, TypeVar

import requests
from redis.exceptions import RedisError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from .gateway import TOKEN_INVALID, FollowerInfo, MiniSession, SceneCode, WeChatError
from .sandbox import SandboxGateway

TIMEOUT = 5  # seconds; WeChat itself answers in well under one
QR_IMAGE = "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket="
T = TypeVar("T")


class Client(WeChatClient):
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

    def forget_token(self) -> None:
        self.session.delete(self.access_token_key)
        self.expires_at = None


async def _call(client: Client, function: Callable[[], T]) -> T:
    for attempt in (1, 2):
        try:
            return await asyncio.to_thread(function)
        except WeChatClientException as exc:
            if exc.errcode in TOKEN_INVALID and attempt == 1:
                client.forget_token()
                continue
            raise WeChatError(exc.errcode, exc.errmsg or "") from None
        except requests.exceptions.ReadTimeout:  # sent, unanswered: it may have been delivered
            raise WeChatError(None, "ReadTimeout", uncertain=True) from None
        except (OSError, RedisError) as exc:  # not connected (requests), or the shared token store is away
            raise WeChatError(None, type(exc).__name__) from None
    raise AssertionError("unreachable")


class WeChatApi:
    """The real API for whichever side is configured; the other side stays a sandbox."""

    def __init__(self, *, mini: Client | None, oa: Client | None, mini_appid: str | None):
        self._mini, self._oa, self._mini_appid = mini, oa, mini_appid
        self._sandbox = SandboxGateway()

    async def mini_program_session(self, code: str) -> MiniSession:
        if self._mini is None:
            return await self._sandbox.mini_program_session(code)
        result = await _call(self._mini, lambda: self._mini.wxa.code_to_session(code))
        return MiniSession(openid=result["openid"], session_key=result["session_key"],
                           unionid=result.get("unionid"))

    async def send_mini_subscribe(self, openid: str, template_id: str, data: dict, page: str) -> None:
        if self._mini is None:
            return await self._sandbox.send_mini_subscribe(openid, template_id, data, page)
        await _call(self._mini, lambda: self._mini.wxa.send_subscribe_message(openid, template_id, data, page))

    def _mini_program(self, page: str | None) -> dict | None:
        return {"appid": self._mini_appid, "pagepath": page} if page and self._mini_appid else None

    async def follower_info(self, openid: str) -> FollowerInfo:
        if self._oa is None:
            return await self._sandbox.follower_info(openid)
        result = await _call(self._oa, lambda: self._oa.user.get(openid))
        return FollowerInfo(openid=openid, subscribed=bool(result.get("subscribe")), unionid=result.get("unionid"))

    async def send_text(self, openid: str, content: str) -> None:
        if self._oa is None:
            return await self._sandbox.send_text(openid, content)
        await _call(self._oa, lambda: self._oa.message.send_text(openid, content))

    async def send_template(self, openid: str, template_id: str, data: dict, mini_page: str | None) -> str | None:
        if self._oa is None:
            return await self._sandbox.send_template(openid, template_id, data, mini_page)
        result = await _call(self._oa, lambda: self._oa.message.send_template(
            openid, template_id, data, mini_program=self._mini_program(mini_page)))
        return str(result["msgid"]) if result.get("msgid") else None

    async def send_oa_subscribe(self, openid: str, template_id: str, data: dict, mini_page: str | None) -> None:
        if self._oa is None:
            return await self._sandbox.send_oa_subscribe(openid, template_id, data, mini_page)
        await _call(self._oa, lambda: self._oa.message.send_subscribe_message(
            openid, template_id, data, miniprogram=self._mini_program(mini_page)))

    async def create_menu(self, menu: dict) -> None:
        if self._oa is None:
            return await self._sandbox.create_menu(menu)
        await _call(self._oa, lambda: self._oa.menu.create(menu))

    async def create_scene_code(self, scene: str, expire_seconds: int) -> SceneCode:
        if self._oa is None:
            return await self._sandbox.create_scene_code(scene, expire_seconds)
        result = await _call(self._oa, lambda: self._oa.qrcode.create({
            "expire_seconds": expire_seconds, "action_name": "QR_STR_SCENE",
            "action_info": {"scene": {"scene_str": scene}}}))
        return SceneCode(ticket=result["ticket"], url=result["url"], image_url=QR_IMAGE + result["ticket"])

    async def download_media(self, media_id: str) -> tuple[bytes, str]:
        if self._oa is None:
            return await self._sandbox.download_media(media_id)
        response = await _call(self._oa, lambda: self._oa.media.download(media_id))
        if isinstance(response, dict):  # wechatpy hands back JSON bodies, i.e. errors
            raise WeChatError(response.get("errcode"), response.get("errmsg", ""))
        return response.content, response.headers.get("Content-Type", "application/octet-stream")
