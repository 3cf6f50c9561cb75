"""QR codes of the official account whose scan binds the follower (see domain.scenes)."""

from __future__ import annotations

from onething.domain import scenes
from storage.wechat import WeChatGateway

LIFETIME = 30 * 24 * 3600  # seconds: WeChat's longest for a temporary code


async def make(gateway: WeChatGateway, secret: str, kind: str, ref: str) -> dict:
    """The scene and WeChat's code for it; raises WeChatError when WeChat cannot make one."""
    scene = scenes.make(kind, ref, secret)
    code = await gateway.create_scene_code(scene, LIFETIME)
    return {"scene": scene, "url": code.url, "image_url": code.image_url, "expires_in": LIFETIME}
