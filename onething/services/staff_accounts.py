"""What an admin does with staff and courier accounts: list, open, disable, reset a password.

The rules are ``staff.create_staff``'s (a reviewer has a department, a courier a carrier, ten
characters of password at least); here they are refusals an admin reads beside the form.
Disabling keeps the account and its name in every trail; it stops new sign-ins and ends the
sessions it has open (the API's and the console's), found by a scan: admins disable rarely.
Each change is logged with who made it (never a password).
"""

from __future__ import annotations

import json
import logging

import redis.asyncio as aioredis
from argon2 import PasswordHasher

from onething.domain.refusals import Refused
from onething.domain.shipment import CARRIERS
from onething.services.staff import ROLES
from storage.models import StaffUser

log = logging.getLogger("onething.accounts")
PASSWORD_MIN = 10
SESSIONS = ("staff:session:*", "staff:console:*")  # the API's bearer sessions, the console's
_hasher = PasswordHasher()


async def listing() -> list[StaffUser]:
    return await StaffUser.all().order_by("role", "username")


def _checked_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise Refused("account.password_short", details={"field": "password", "min": PASSWORD_MIN})
    return password


async def open_account(username: str, role: str, password: str, *, department: str, carrier: str,
                       departments: set[str], by: str) -> StaffUser:
    username = username.strip()
    if not username or len(username) > 64:
        raise Refused("account.username_needed", details={"field": "username"})
    if role not in ROLES:
        raise Refused("account.unknown_role", details={"field": "role"})
    if role == "reviewer" and department not in departments:
        raise Refused("account.department_needed", details={"field": "department"})
    if role == "courier" and carrier not in CARRIERS:
        raise Refused("account.carrier_needed", details={"field": "carrier"})
    if department and department not in departments:
        raise Refused("account.department_needed", details={"field": "department"})
    _checked_password(password)
    if await StaffUser.filter(username=username).exists():
        raise Refused("account.taken", status=409, details={"field": "username", "username": username})
    account = await StaffUser.create(username=username, role=role, department=department or None,
                                     carrier=carrier if role == "courier" else None, display_name=username,
                                     password_hash=_hasher.hash(password))
    log.info("account opened", extra={"account": username, "role": role, "by": by})
    return account


async def disable(redis: aioredis.Redis, account_id: int, by: str) -> StaffUser:
    account = await StaffUser.get_or_none(id=account_id)
    if account is None:
        raise Refused("not_found", status=404)
    await StaffUser.filter(id=account_id).update(active=False)
    account.active = False
    for pattern in SESSIONS:
        async for key in redis.scan_iter(pattern, count=500):
            raw = await redis.get(key)
            if raw and json.loads(raw).get("id") == account_id:
                await redis.delete(key)
    log.info("account disabled", extra={"account": account.username, "by": by})
    return account


async def reset_password(account_id: int, password: str, by: str) -> StaffUser:
    account = await StaffUser.get_or_none(id=account_id)
    if account is None:
        raise Refused("not_found", status=404)
    await StaffUser.filter(id=account_id).update(password_hash=_hasher.hash(_checked_password(password)))
    log.info("account password reset", extra={"account": account.username, "by": by})
    return account
