"""A small client for the back office, used the way the staff front end calls it."""

from __future__ import annotations

from onething.services.staff import create_staff

PASSWORD = "correct-horse-battery"


class StaffApi:
    def __init__(self, client, token: str, username: str = ""):
        self.client, self.token, self.username = client, token, username

    @classmethod
    async def login(cls, client, username: str, role: str, department: str | None = None) -> "StaffApi":
        await create_staff(username, role, PASSWORD, department=department)
        response = await client.post("/staff/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status == 200, await response.text()
        return cls(client, (await response.json())["token"], username)

    async def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        response = await self.client.request(method, f"/staff/api/v1{path}", headers=headers, **kwargs)
        body = await response.json()
        assert response.status == expect, body
        return body

    async def get(self, path: str, expect: int = 200):
        return await self.call("GET", path, expect)

    async def post(self, path: str, json: dict | None = None, expect: int = 200):
        return await self.call("POST", path, expect, json=json or {})

    async def queue(self, query: str = "") -> list[dict]:
        """A department's whole task queue, page by page: on PostgreSQL it also holds the session's
        other tests' cases, more than one page of them."""
        items, page = [], 1
        while page:
            answer = await self.get(f"/tasks?page={page}{'&' + query if query else ''}")
            items += answer["items"]
            page = answer["next"]
        return items
