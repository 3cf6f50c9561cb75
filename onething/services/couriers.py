"""Courier accounts: staff accounts of role ``courier`` bound to a carrier, signed in for weeks.

A courier signs in once on their phone (the page keeps the session in a cookie, apps send it as a
bearer token) and may act only on shipments of their own carrier.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime

import redis.asyncio as aioredis

from onething.domain.refusals import Refused
from onething.domain.shipment import CARRIERS, read_token, token_expired
from storage.models import Shipment, StaffUser

from . import staff as accounts
from .shipment_refusals import ShipmentRefused
from .staff import StaffError, StaffSession

log = logging.getLogger("onething.courier")

SESSION_TTL = 30 * 24 * 3600  # a courier's phone stays signed in for a month of rounds


async def create_courier(username: str, carrier: str, password: str, display_name: str = "") -> StaffUser:
    if carrier not in CARRIERS:
        raise StaffError(f"unknown carrier {carrier!r}; one of: {', '.join(CARRIERS)}")
    return await accounts.create_staff(username, "courier", password, carrier=carrier, display_name=display_name)


async def login(redis: aioredis.Redis, username: str, password: str) -> tuple[str, StaffUser] | None:
    user = await accounts.authenticate(username, password)
    if user is None or user.role != "courier":
        return None  # back-office accounts sign in at the back office only
    return await accounts.open_session(redis, user, ttl=SESSION_TTL), user


async def find_session(redis: aioredis.Redis, token: str) -> StaffSession | None:
    session = await accounts.find_session(redis, token) if token else None
    return session if session is not None and session.role == "courier" else None


def may_handle(session: StaffSession, shipment: Shipment) -> bool:
    return session.carrier == shipment.carrier


async def scanned(session: StaffSession, token: str, secret: str, now: datetime) -> Shipment:
    """The shipment a courier's scanned code names, or why not: codes that lead nowhere are logged."""
    nonce = read_token(token, secret)
    row = await Shipment.get_or_none(token_nonce=nonce) if nonce is not None else None
    reason = "forged" if nonce is None else "unknown" if row is None else \
        "expired" if token_expired(row.created_at, now) else ""
    if reason:
        log.warning("delivery code refused", extra={"reason": reason, "courier": session.username})
        raise (ShipmentRefused("expired_delivery_code", status=410) if reason == "expired"
               else ShipmentRefused("invalid_delivery_code", status=404))
    if not may_handle(session, row):
        log.warning("courier of another carrier scanned a shipment", extra={"courier": session.username})
        raise ShipmentRefused("other_carrier", status=403)
    return row


def form_token(secret: str, session_token: str) -> str:
    """The per-form token of the courier page: only a page rendered for this session knows it."""
    key = hashlib.sha256(f"onething/courier-form/{secret}".encode()).digest()
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()[:32]


def form_token_ok(secret: str, session_token: str, given: str) -> bool:
    return hmac.compare_digest(form_token(secret, session_token).encode(), given.encode())


async def open_account(username: str, carrier: str, password: str, display_name: str = "") -> StaffUser:
    """An admin opens a courier's account; what the account rules refuse comes back as a refusal."""
    try:
        return await create_courier(username, carrier, password, display_name)
    except StaffError as exc:
        raise Refused("invalid_courier", details={"problem": str(exc)}) from None
