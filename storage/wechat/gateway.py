"""What the service asks of WeChat, and how WeChat says no.

The error codes decide what the notification sender does next: a transient failure is
retried later on the same channel; any other refusal is final for that channel (the user
refused, the 48-hour window closed, the template does not exist) and the sender falls back
to the next one instead of retrying into the same wall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

# The request itself is wrong (a bad or used login code): retrying cannot help.
INVALID_CODE = frozenset({40029, 40163, 40226})
# The access token went stale under us (another process renewed it, or it expired).
TOKEN_INVALID = frozenset({40001, 40014, 42001})
# Worth trying again later: WeChat busy, over a rate limit, or no answer at all (None).
TRANSIENT = frozenset({None, -1, 45009, 45011}) | TOKEN_INVALID
USER_REFUSED = 43101  # subscribe message without (remaining) consent
OUTSIDE_WINDOW = 45015  # customer-service message more than 48 hours after the user last wrote


class WeChatError(Exception):
    def __init__(self, errcode: int | None, errmsg: str = "", *, uncertain: bool = False):
        # uncertain: the request went out and no answer came back, so it may have taken effect
        self.errcode, self.errmsg, self.uncertain = errcode, errmsg, uncertain
        super().__init__(f"WeChat error {errcode}: {errmsg}")

    @property
    def invalid_code(self) -> bool:
        return self.errcode in INVALID_CODE

    @property
    def transient(self) -> bool:
        return self.errcode in TRANSIENT and not self.uncertain


@dataclass(frozen=True)
class MiniSession:
    openid: str
    session_key: str
    unionid: str | None = None


@dataclass(frozen=True)
class FollowerInfo:
    openid: str
    subscribed: bool
    unionid: str | None = None


@dataclass(frozen=True)
class SceneCode:
    ticket: str
    url: str  # what the QR code encodes
    image_url: str  # WeChat's rendering of it


class WeChatGateway(Protocol):
    # the mini-program
    async def mini_program_session(self, code: str) -> MiniSession: ...
    async def send_mini_subscribe(self, openid: str, template_id: str, data: dict, page: str) -> None: ...

    # the official account
    async def follower_info(self, openid: str) -> FollowerInfo: ...
    async def send_text(self, openid: str, content: str) -> None: ...
    async def send_template(self, openid: str, template_id: str, data: dict, mini_page: str | None) -> str | None:
        """The msgid WeChat's delivery receipt (TEMPLATESENDJOBFINISH) will carry."""
    async def send_oa_subscribe(self, openid: str, template_id: str, data: dict, mini_page: str | None) -> None: ...
    async def create_menu(self, menu: dict) -> None: ...
    async def create_scene_code(self, scene: str, expire_seconds: int) -> SceneCode: ...
    async def download_media(self, media_id: str) -> tuple[bytes, str]: ...
