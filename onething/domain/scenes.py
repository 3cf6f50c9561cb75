"""Scenes of parametrised QR codes: what scanning one binds the follower to.

WeChat hands the scene back verbatim in the subscribe or SCAN event, so a scene that grants
something (following a case, acting for an enterprise) carries a signature only this server
can make; a service window's scene grants nothing and stays readable. A scene is at most 64
characters (WeChat's limit for ``scene_str``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

WINDOW, APPLICATION, ENTERPRISE = "w", "a", "e"
SIGNED = {APPLICATION, ENTERPRISE}
MAX_LENGTH = 64
SUBSCRIBE_PREFIX = "qrscene_"  # WeChat's prefix on the scene of a subscribe event


@dataclass(frozen=True)
class Scene:
    kind: str  # WINDOW, APPLICATION or ENTERPRISE
    ref: str  # the window code, the case id, the enterprise's credit code


def _signature(kind: str, ref: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"onething/scene/{kind}:{ref}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()  # 96 bits: not guessable, still short


def make(kind: str, ref: str, secret: str) -> str:
    if kind not in (WINDOW, APPLICATION, ENTERPRISE) or ":" in ref or not ref:
        raise ValueError(f"not a scene: {kind}:{ref}")
    scene = f"{kind}:{ref}" + (f":{_signature(kind, ref, secret)}" if kind in SIGNED else "")
    if len(scene) > MAX_LENGTH:
        raise ValueError("scene longer than WeChat allows")
    return scene


def parse(event_key: str, secret: str) -> Scene | None:
    """The scene of an event key, or None when it is not one of ours or its signature is wrong."""
    text = event_key.removeprefix(SUBSCRIBE_PREFIX)
    parts = text.split(":")
    if len(parts) == 2 and parts[0] == WINDOW and parts[1]:
        return Scene(WINDOW, parts[1])
    if len(parts) == 3 and parts[0] in SIGNED and parts[1]:
        if hmac.compare_digest(parts[2], _signature(parts[0], parts[1], secret)):
            return Scene(parts[0], parts[1])
    return None
