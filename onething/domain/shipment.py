"""Postal delivery (邮寄送达) of a case's results: a shipment, its courier's scans and the pickup code.

A shipment goes picked up at the service centre -> out for delivery -> delivered (the recipient
tells the courier their pickup code) or a failed attempt -> out again or returned to the centre.
Each action leads to exactly one state, so a scan repeated after it took effect is recognised
as a replay and records nothing. The QR delivery code carries a token that is random (so it
cannot be guessed) and signed with the server secret (so it cannot be forged), and says nothing
about the recipient.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from .refusals import Refused

CODE_TRIES = 5  # wrong pickup codes before the code locks: enough for typos, not for guessing 10**6
TOKEN_LIFETIME = timedelta(days=60)  # a label older than this is not a delivery in progress
MAX_PIECES = 10
_NONCE_BYTES, _MAC_BYTES = 16, 12  # 128 random bits; 96 bits of signature
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{38}$")
_CODE = re.compile(r"^\d{6}$")
_TRACKING = re.compile(r"^[A-Za-z0-9]{8,30}$")


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str  # what citizens and couriers read


CARRIERS = {c.code: c for c in (Carrier("ems", "中国邮政EMS"), Carrier("sf", "顺丰速运"))}
DEFAULT_CARRIER = "ems"


class ShipmentState(StrEnum):
    CREATED = "created"
    PICKED_UP = "picked_up"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    FAILED = "failed"
    RETURNED = "returned"


# Each action leads to one state only: that is what tells a replayed scan from a new one.
RESULT = {
    "pickup": ShipmentState.PICKED_UP, "out_for_delivery": ShipmentState.OUT_FOR_DELIVERY,
    "deliver": ShipmentState.DELIVERED, "fail": ShipmentState.FAILED, "return": ShipmentState.RETURNED,
}
ALLOWED_FROM = {
    "pickup": {ShipmentState.CREATED},
    "out_for_delivery": {ShipmentState.PICKED_UP, ShipmentState.FAILED},  # after a failed attempt: try again
    "deliver": {ShipmentState.OUT_FOR_DELIVERY},
    "fail": {ShipmentState.OUT_FOR_DELIVERY},
    "return": {ShipmentState.PICKED_UP, ShipmentState.FAILED},
}
OPEN = frozenset({ShipmentState.CREATED, ShipmentState.PICKED_UP, ShipmentState.OUT_FOR_DELIVERY,
                  ShipmentState.FAILED})
STATE_NAMES = {
    ShipmentState.CREATED: "待揽收", ShipmentState.PICKED_UP: "已揽收", ShipmentState.OUT_FOR_DELIVERY: "派送中",
    ShipmentState.DELIVERED: "已签收", ShipmentState.FAILED: "投递未成功", ShipmentState.RETURNED: "已退回服务中心",
}
ACTION_NAMES = {
    "pickup": "在服务中心揽收", "out_for_delivery": "开始派送", "deliver": "签收（核对取件码）",
    "fail": "登记投递失败", "return": "退回服务中心",
}
# While the parcel is in its courier's hands the recipient may need calling (电话无人接听 is a
# reason to fail): the carrier's couriers see the full phone from the pickup scan until it is
# delivered or returned; before pickup, on the slip and to everyone else it stays masked.
PHONE_SHOWN = frozenset({ShipmentState.PICKED_UP, ShipmentState.OUT_FOR_DELIVERY, ShipmentState.FAILED})
FAIL_REASONS = ("收件人不在", "电话无人接听", "地址有误", "收件人拒收", "取件码无法核对")


# Refusals that say the shipment or the case has moved on, and the locked code; the rest are 422.
STATUS = {"out_of_order": 409, "not_ready": 409, "shipment_open": 409, "code_locked": 423}


class ShipmentRuleError(Refused):
    """A scan the rules refuse: ``code`` is stable, its words are the catalogue's
    (templates/messages/rules.yaml); a message given here still overrides them."""

    def __init__(self, code: str, message: str | None = None, **details):
        super().__init__(code, message, status=STATUS.get(code, 422), details=details)


class WrongPickupCode(ShipmentRuleError):
    """The attempt counts (the service saves it) even though nothing else changes."""


@dataclass
class Scan:
    action: str
    from_state: ShipmentState
    to_state: ShipmentState
    note: str = ""


@dataclass
class Shipment:
    carrier: str
    tracking_number: str
    state: ShipmentState
    pickup_code: str
    code_attempts: int = 0
    scans: list[Scan] = field(default_factory=list)
    notices: list[tuple[str, dict]] = field(default_factory=list)

    @classmethod
    def post(cls, carrier: str, tracking_number: str, pieces: list[str]) -> "Shipment":
        """A new shipment of a case's results; the recipient is told its pickup code."""
        if carrier not in CARRIERS:
            raise ShipmentRuleError("unknown_carrier", field="carrier", carrier=carrier)
        if not valid_tracking_number(tracking_number):
            raise ShipmentRuleError("invalid_tracking_number", field="tracking_number")
        if not 1 <= len(pieces) <= MAX_PIECES or not all(0 < len(p.strip()) <= 60 for p in pieces):
            raise ShipmentRuleError("invalid_pieces", field="pieces", limit=MAX_PIECES)
        shipment = cls(carrier, tracking_number, ShipmentState.CREATED, new_pickup_code())
        shipment.notices.append(("shipment_posted", {**shipment._label(), "pickup_code": shipment.pickup_code}))
        return shipment

    @property
    def locked(self) -> bool:
        return self.code_attempts >= CODE_TRIES

    def next_actions(self) -> list[str]:
        """What a courier may do now, in the order the page offers it."""
        return [a for a, sources in ALLOWED_FROM.items()
                if self.state in sources and not (a == "deliver" and self.locked)]

    def act(self, action: str, *, pickup_code: str = "", reason: str = "") -> bool:
        """Apply a courier's action; False when it is a replay of the one that led here."""
        if action not in RESULT:
            raise ShipmentRuleError("unknown_action")
        if self.state == RESULT[action]:
            return False
        if self.state not in ALLOWED_FROM[action]:
            raise ShipmentRuleError(
                "out_of_order", state=self.state.value, allowed=self.next_actions(), state_name=STATE_NAMES[self.state],
                action_name=ACTION_NAMES[action], allowed_names=[ACTION_NAMES[a] for a in self.next_actions()])
        note = ""
        if action == "deliver":
            self._check_code(pickup_code)
        if action == "fail":
            note = reason.strip()
            if not note or len(note) > 200:
                raise ShipmentRuleError("reason_required", action="fail", limit=200)
        before, self.state = self.state, RESULT[action]
        self.scans.append(Scan(action, before, self.state, note))
        if action in ("pickup", "out_for_delivery"):
            self.notices.append((f"shipment_{self.state.value}", self._label()))
        elif action == "fail":
            self.notices.append(("shipment_failed", {"reason": note}))
        elif action == "return":
            self.notices.append(("shipment_returned", {}))
        return True  # delivery's own notices come from the case, which it closes

    def _label(self) -> dict:
        return {"carrier": CARRIERS[self.carrier].name, "tracking_number": self.tracking_number}

    def _check_code(self, given: str) -> None:
        if self.locked:
            raise ShipmentRuleError("code_locked")
        given = given.strip()
        if not _CODE.match(given):
            raise ShipmentRuleError("invalid_code")
        if not hmac.compare_digest(given.encode(), self.pickup_code.encode()):
            self.code_attempts += 1
            left = CODE_TRIES - self.code_attempts
            raise WrongPickupCode("wrong_code" if left else "code_locked", attempts_left=left)


def new_pickup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def valid_tracking_number(value: str) -> bool:
    return bool(_TRACKING.match(value))


# -- the delivery code's token ---------------------------------------------------------------
def issue_token(secret: str) -> tuple[str, str]:
    """A new ``(token, nonce)``; only the nonce is stored, the token is rebuilt from it to print again."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return _encode(nonce, secret), nonce.hex()


def token_for(nonce_hex: str, secret: str) -> str:
    return _encode(bytes.fromhex(nonce_hex), secret)


def read_token(token: str, secret: str) -> str | None:
    """The nonce of a genuine token; None for anything malformed or not signed with ``secret``."""
    if not _TOKEN.match(token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return None
    nonce, mac = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    return nonce.hex() if hmac.compare_digest(mac, _mac(nonce, secret)) else None


def token_expired(created_at: datetime, now: datetime) -> bool:
    return now - created_at > TOKEN_LIFETIME


def _encode(nonce: bytes, secret: str) -> str:
    return base64.urlsafe_b64encode(nonce + _mac(nonce, secret)).decode().rstrip("=")


def _mac(nonce: bytes, secret: str) -> bytes:
    # A key of its own, so a token is never valid as any other signature the server makes.
    key = hashlib.sha256(f"onething/shipment-token/{secret}".encode()).digest()
    return hmac.new(key, nonce, hashlib.sha256).digest()[:_MAC_BYTES]
