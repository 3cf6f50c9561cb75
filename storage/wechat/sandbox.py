"""No WeChat: logins by code ``sandbox-<name>``, and messages kept here instead of sent.

The sandbox's users are named: ``sandbox-<name>`` is both the mini-program and the
official-account openid of user ``<name>``, and their unionid is ``sandbox:<name>``, so the
two sides link up exactly as they do through WeChat's unionid.
"""

from __future__ import annotations

import logging
from collections import deque

from .gateway import FollowerInfo, MiniSession, SceneCode, WeChatError

log = logging.getLogger("onething.wechat")
PREFIX = "sandbox-"


def _unionid(openid: str) -> str | None:
    return f"sandbox:{openid[len(PREFIX):]}" if openid.startswith(PREFIX) else None


class SandboxGateway:
    def __init__(self) -> None:
        self.sent: deque[tuple[str, str, dict]] = deque(maxlen=1000)  # (channel, openid, message)

    async def mini_program_session(self, code: str) -> MiniSession:
        if not code.startswith(PREFIX) or len(code) <= len(PREFIX):
            raise WeChatError(40029, "sandbox mode accepts only codes sandbox-<name>")
        return MiniSession(openid=code, session_key="sandbox", unionid=_unionid(code))

    async def follower_info(self, openid: str) -> FollowerInfo:
        return FollowerInfo(openid=openid, subscribed=True, unionid=_unionid(openid))

    def _keep(self, channel: str, openid: str, message: dict) -> None:
        self.sent.append((channel, openid, message))
        log.info("sandbox: WeChat message kept, not sent", extra={"channel": channel})

    async def send_mini_subscribe(self, openid: str, template_id: str, data: dict, page: str) -> None:
        self._keep("mp_subscribe", openid, {"template_id": template_id, "data": data, "page": page})

    async def send_text(self, openid: str, content: str) -> None:
        self._keep("oa_text", openid, {"content": content})

    async def send_template(self, openid: str, template_id: str, data: dict, mini_page: str | None) -> str | None:
        self._keep("oa_template", openid, {"template_id": template_id, "data": data, "page": mini_page})
        return None

    async def send_oa_subscribe(self, openid: str, template_id: str, data: dict, mini_page: str | None) -> None:
        self._keep("oa_subscribe", openid, {"template_id": template_id, "data": data, "page": mini_page})

    async def create_menu(self, menu: dict) -> None:
        self._keep("menu", "", menu)

    async def create_scene_code(self, scene: str, expire_seconds: int) -> SceneCode:
        return SceneCode(ticket=f"sandbox-{scene}", url=f"sandbox://qr/{scene}", image_url="")

    async def download_media(self, media_id: str) -> tuple[bytes, str]:
        raise WeChatError(40007, "sandbox mode has no media")
