"""The staff console driven as a browser without JavaScript would: forms, cookies, the form token."""

from __future__ import annotations

import re
import uuid

import pytest

from onething.services.staff import create_staff
from tests.conftest import PG_URL, REDIS_URL
from tests.support.staff_api import PASSWORD

# The console's behaviour does not depend on the backend: its tests run once, on the real ones when given.
ONE_BACKEND = [pytest.mark.parametrize("database_url", ["postgres" if PG_URL else "sqlite"], indirect=True),
               pytest.mark.parametrize("redis_url", ["redis" if REDIS_URL else "memory"], indirect=True)]
TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def form_token(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "the page has no form token"
    return found.group(1)


class Desk:
    """One staff member signed in to the console through its sign-in page."""

    def __init__(self, client, csrf: str, username: str):
        self.client, self.csrf, self.username = client, csrf, username

    @classmethod
    async def sign_in(cls, client, username: str, role: str, department: str | None = None, *,
                      create: bool = True) -> "Desk":
        if create:  # on PostgreSQL one database serves the whole run: each account is new
            username = f"{username}-{uuid.uuid4().hex[:8]}"
            await create_staff(username, role, PASSWORD, department=department)
        page = await client.get("/staff/sign-in")
        response = await client.post("/staff/sign-in", data={
            "username": username, "password": PASSWORD, "csrf": form_token(await page.text()), "next": "/staff/"})
        assert response.status == 200, await response.text()
        return cls(client, form_token(await response.text()), username)

    async def get(self, path: str, expect: int = 200) -> str:
        response = await self.client.get(path)
        html = await response.text()
        assert response.status == expect, html
        return html

    async def post(self, path: str, data: dict | list | None = None, expect: int = 200) -> str:
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        response = await self.client.post(path, data=[("csrf", self.csrf), *fields])
        html = await response.text()
        assert response.status == expect, html
        return html
