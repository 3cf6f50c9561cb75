"""The staff console driven as a browser without JavaScript would: forms, cookies, the form token."""

from __future__ import annotations

import re
import uuid
from http.cookies import SimpleCookie

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
    """One staff member signed in to the console through its sign-in page. Several desks share
    the test's client, each with its own cookies, as two browsers would."""

    def __init__(self, client, csrf: str, username: str, cookies: SimpleCookie):
        self.client, self.csrf, self.username, self.cookies = client, csrf, username, cookies

    async def request(self, method: str, path: str, **kwargs):
        jar = self.client.session.cookie_jar
        jar.clear()
        jar.update_cookies(self.cookies, self.client.make_url("/staff/"))
        response = await self.client.request(method, path, **kwargs)
        self.cookies = _kept(jar)
        return response

    @classmethod
    async def sign_in(cls, client, username: str, role: str, department: str | None = None, *,
                      create: bool = True) -> "Desk":
        if create:  # on PostgreSQL one database serves the whole run: each account is new
            username = f"{username}-{uuid.uuid4().hex[:8]}"
            await create_staff(username, role, PASSWORD, department=department)
        client.session.cookie_jar.clear()
        page = await client.get("/staff/sign-in")
        response = await client.post("/staff/sign-in", data={
            "username": username, "password": PASSWORD, "csrf": form_token(await page.text()), "next": "/staff/"})
        assert response.status == 200, await response.text()
        return cls(client, form_token(await response.text()), username, _kept(client.session.cookie_jar))

    async def get(self, path: str, expect: int = 200) -> str:
        response = await self.request("GET", path)
        html = await response.text()
        assert response.status == expect, html
        return html

    async def post(self, path: str, data: dict | list | None = None, expect: int = 200) -> str:
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        response = await self.request("POST", path, data=[("csrf", self.csrf), *fields])
        html = await response.text()
        assert response.status == expect, html
        return html


def _kept(jar) -> SimpleCookie:
    kept = SimpleCookie()
    for morsel in jar:
        kept[morsel.key] = morsel
    return kept


async def submitted(running, thing: str = "business-opening", *, applicant=None, attach=None) -> int:
    """A case submitted by its applicant with the whole form filled (its personal fields sealed);
    ``attach(case_id)``, if given, uploads its documents before it is submitted."""
    from onething.keys import catalog_key, id_cipher_key, workflow_key
    from onething.services import case_store
    from onething.services.case_store import Actor
    from onething.services.forms import seal
    from tests.support.cases import citizen
    from tests.support.forms import complete_form

    schema = running.app[catalog_key].things[thing].form
    flow = running.app[workflow_key]
    row = await case_store.create_draft(thing, applicant or await citizen(),
                                        seal(schema, complete_form(schema), running.app[id_cipher_key]), flow.clock())
    if attach is not None:
        await attach(row.id)
    await flow.submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
    return row.id
