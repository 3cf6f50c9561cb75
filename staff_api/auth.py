"""Signing in and out of the back office: a bearer session for a staff account (never a courier's)."""

from __future__ import annotations

import logging

from aiohttp import web

from onething.keys import redis_key
from onething.services import staff as accounts
from onething.web.errors import ApiError
from onething.web.http import json_response, read_json
from onething.web.login_limits import throttled_login
from onething.web.routes import Route
from onething.web.schemas import OK, obj, required_text
from .shapes import LOGIN

log = logging.getLogger("onething.staff")


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    username = body["username"].strip()

    async def attempt():
        user = await accounts.authenticate(username, body["password"].strip())
        if user is None or user.role == "courier":
            log.info("staff login refused")
            raise ApiError("bad_credentials", status=401)
        return user

    user = await throttled_login(request, "staff", username, attempt)
    token = await accounts.open_session(request.config_dict[redis_key], user)
    return json_response({"token": token, "expires_in": accounts.SESSION_TTL,
                          "user": {"username": user.username, "role": user.role, "department": user.department}})


async def logout(request: web.Request) -> web.Response:
    await accounts.close_session(request.config_dict[redis_key], request.headers["Authorization"][7:].strip())
    return json_response({"ok": True})


CREDENTIALS = obj({"username": required_text(64, "用户名"), "password": required_text(256, "密码")},
                  required=("username", "password"))
ROUTES = [
    Route("POST", "/auth/login", login, "工作人员登录（用户名、密码），换取 token", CREDENTIALS, response=LOGIN,
          public=True, max_body=4096),
    Route("POST", "/auth/logout", logout, "退出登录（吊销当前 token）", response=OK),
]
