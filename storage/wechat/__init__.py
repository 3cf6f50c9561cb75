"""The one gateway to WeChat, shared by mini-program login, the bot and the notification sender.

In sandbox mode (no credentials) nothing leaves the machine.
"""

from __future__ import annotations

from typing import Callable

from redis import Redis as SyncRedis
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from .api import Client, WeChatApi
from .gateway import (FollowerInfo, MiniSession, SceneCode, WeChatError, WeChatGateway, OUTSIDE_WINDOW,
                      USER_REFUSED)
from .sandbox import SandboxGateway

__all__ = ["FollowerInfo", "MiniSession", "OUTSIDE_WINDOW", "SandboxGateway", "SceneCode", "USER_REFUSED",
           "WeChatApi", "WeChatError", "WeChatGateway", "open_gateway"]


def open_gateway(settings) -> tuple[WeChatGateway, Callable[[], None]]:
    """The gateway the settings call for, and how to close it."""
    if settings.wechat_sandbox:
        return SandboxGateway(), lambda: None
    if settings.redis_url is None:
        storage, close = MemoryStorage(), (lambda: None)
    else:
        # wechatpy's token storage is synchronous: it gets its own blocking client, and every
        # process shares the one token through it.
        sync_redis = SyncRedis.from_url(settings.redis_url, socket_timeout=5)
        storage, close = RedisStorage(sync_redis, prefix="wechatpy"), sync_redis.close
    mp, oa, base = settings.mini_program, settings.official_account, settings.wechat_api_base
    api = WeChatApi(
        mini=Client(mp.appid, mp.secret, base, storage) if mp else None,
        oa=Client(oa.appid, oa.secret, base, storage) if oa else None,
        mini_appid=mp.appid if mp else None,
    )
    return api, close
