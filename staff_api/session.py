"""Who is calling the back office: the bearer session, and the role check every endpoint makes."""

from __future__ import annotations

from aiohttp import web

from onething.domain.refusals import Refused
from onething.keys import redis_key
from onething.services import staff as accounts
from onething.services.case_store import Actor
from onething.web.errors import message_of

OPEN_PATHS = {"/staff/api/v1/auth/login", "/staff/api/v1/openapi.json", "/staff/api/v1/docs"}
STAFF = web.RequestKey("staff", accounts.StaffSession)


@web.middleware
async def staff_auth(request: web.Request, handler):
    if request.path in OPEN_PATHS:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    session = await accounts.find_session(request.config_dict[redis_key], token) if token else None
    if session is None or session.role == "courier":
        raise Refused("unauthorized", status=401, headers={"WWW-Authenticate": "Bearer"})
    request[STAFF] = session
    return await handler(request)


def authorise(request: web.Request, roles: tuple[str, ...]) -> None:
    """A route's roles, checked before its input is read: 403 for the wrong post, as ``staff``."""
    staff(request, *roles)


def staff(request: web.Request, *roles: str) -> accounts.StaffSession:
    session = request[STAFF]
    if roles and session.role not in roles:
        raise forbidden(request, "role_forbidden")
    return session


def forbidden(request: web.Request, reason: str, **details) -> Refused:
    """A 403 ``forbidden`` that says why in the words of the catalogue entry ``reason``."""
    return Refused("forbidden", message_of(request, Refused(reason, details=details)), status=403,
                   details=details or None)


def actor(session: accounts.StaffSession) -> Actor:
    return Actor(f"staff:{session.username}", session.role)
