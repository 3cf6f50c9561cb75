"""A mini-program as the front end calls this API: log in, then JSON with a bearer token."""

from __future__ import annotations

import aiohttp

from tests.support import documents

PDF, PNG, JPEG = documents.pdf(), documents.png(), documents.jpeg()


class MiniProgram:
    def __init__(self, client, token: str = ""):
        self.client, self.token = client, token

    @classmethod
    async def login(cls, client, code: str) -> "MiniProgram":
        response = await client.post("/api/v1/auth/login", json={"code": code})
        body = await response.json()
        assert response.status == 200, body
        return cls(client, body["token"])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)
        body = await response.json()
        assert response.status == expect, (response.status, body)
        return body

    async def get(self, path, expect=200):
        return await self.call("GET", path, expect)

    async def post(self, path, json=None, expect=200):
        return await self.call("POST", path, expect, json=json or {})

    async def put(self, path, json=None, expect=200):
        return await self.call("PUT", path, expect, json=json or {})

    async def upload_presigned(self, case_id: int, material: str, data: bytes, content_type: str,
                               expect: int = 200) -> dict:
        """The two-step upload: ask for a URL, send the file straight to the store, confirm."""
        upload = await self.post(f"/applications/{case_id}/materials/{material}/upload-url",
                                 {"filename": f"{material}.bin", "content_type": content_type, "size": len(data)})
        async with aiohttp.ClientSession() as session:
            if upload["method"] == "PUT":
                async with session.put(upload["url"], data=data, headers=upload["headers"]) as response:
                    assert response.status == 200, await response.text()
            else:
                form = aiohttp.FormData()
                for key, value in upload["fields"].items():
                    form.add_field(key, value)
                form.add_field(upload["file_field"], data, filename="f", content_type=content_type)
                async with session.post(upload["url"], data=form) as response:
                    assert response.status in (200, 204), await response.text()
        return await self.post(f"/applications/{case_id}/materials/{material}/confirm", expect=expect)

    async def upload_direct(self, case_id: int, material: str, data: bytes, content_type: str, expect: int = 200):
        return await self.call("PUT", f"/applications/{case_id}/materials/{material}?filename={material}.pdf",
                               expect, data=data, headers={"Content-Type": content_type})
