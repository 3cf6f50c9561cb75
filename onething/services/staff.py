"""Staff accounts and their sessions: argon2 password hashes, opaque tokens in Redis."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass

import redis.asyncio as aioredis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from storage.models import StaffUser

ROLES = ("clerk", "reviewer", "supervisor", "manager", "admin", "courier")
SESSION_TTL = 12 * 3600  # one working day; staff log in each morning
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing the same either way.
_DUMMY_HASH = _hasher.hash("no-such-user")


class StaffError(ValueError):
    pass


@dataclass(frozen=True)
class StaffSession:
    id: int
    username: str
    role: str
    department: str | None
    carrier: str | None


async def create_staff(username: str, role: str, password: str, *, department: str | None = None,
                       carrier: str | None = None, display_name: str = "",
                       departments: set[str] | None = None) -> StaffUser:
    if role not in ROLES:
        raise StaffError(f"unknown role {role!r}; one of: {', '.join(ROLES)}")
    if role == "reviewer" and not department:
        raise StaffError("a reviewer belongs to a department: give --department")
    if department and departments is not None and department not in departments:
        raise StaffError(f"unknown department {department!r}")
    if role == "courier" and not carrier:
        raise StaffError("a courier works for a carrier: give --carrier")
    if len(password) < 10:
        raise StaffError("a password needs at least 10 characters")
    if await StaffUser.filter(username=username).exists():
        raise StaffError(f"user {username!r} already exists")
    return await StaffUser.create(username=username, role=role, department=department, carrier=carrier,
                                  display_name=display_name or username, password_hash=_hasher.hash(password))


async def authenticate(username: str, password: str) -> StaffUser | None:
    user = await StaffUser.get_or_none(username=username, active=True)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    return user


async def open_session(redis: aioredis.Redis, user: StaffUser, ttl: int = SESSION_TTL) -> str:
    token = secrets.token_urlsafe(32)
    session = StaffSession(user.id, user.username, user.role, user.department, user.carrier)
    await redis.set(_key(token), json.dumps(asdict(session)), ex=ttl)
    return token


async def find_session(redis: aioredis.Redis, token: str) -> StaffSession | None:
    raw = await redis.get(_key(token))
    return StaffSession(**json.loads(raw)) if raw else None


async def close_session(redis: aioredis.Redis, token: str) -> None:
    await redis.delete(_key(token))


def _key(token: str) -> str:
    # Only a digest of the token is stored: a copy of Redis signs nobody in.
    return f"staff:session:{hashlib.sha256(token.encode()).hexdigest()}"
