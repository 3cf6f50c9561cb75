"""A courier as they reach us: a courier app on ``/courier/api/v1``, or WeChat's browser on the page."""

from __future__ import annotations

import io
import re
import uuid
from urllib.parse import urlsplit

import zxingcpp
from PIL import Image

from onething.keys import workflow_key
from onething.services.couriers import create_courier
from tests.support.cases import to_results_ready
from tests.support.miniapp import MiniProgram
from tests.support.staff_api import PASSWORD, StaffApi


def decode_qr(png: bytes) -> str:
    """What a phone's camera reads from the label."""
    # QR codes only (zxing may otherwise also "see" a 1-D code in the modules), read once each
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    [text] = {code.text for code in codes}
    return text


def token_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[1]


class CourierApp:
    def __init__(self, client, token: str):
        self.client, self.token = client, token

    @classmethod
    async def login(cls, client, username: str, carrier: str) -> "CourierApp":
        await create_courier(username, carrier, PASSWORD)
        response = await client.post("/courier/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status == 200, await response.text()
        return cls(client, (await response.json())["token"])

    async def call(self, method: str, path: str, expect: int = 200, **kwargs):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.client.request(method, f"/courier/api/v1{path}", headers=headers, **kwargs)
        body = await response.json()
        assert response.status == expect, (response.status, body)
        return body

    async def shipment(self, token: str, expect: int = 200):
        return await self.call("GET", f"/shipments/{token}", expect)

    async def act(self, token: str, action: str, expect: int = 200, **body):
        return await self.call("POST", f"/shipments/{token}/{action}", expect, json=body)


class CourierBrowser:
    """WeChat's in-app browser: follows the scanned link, keeps the cookie, submits the page's forms."""

    def __init__(self, client):
        self.client = client  # its own cookie jar: one phone

    async def open(self, url: str, expect: int = 200) -> str:
        response = await self.client.get(urlsplit(url).path)
        assert response.status == expect, (response.status, await response.text())
        assert response.content_type == "text/html"
        return await response.text()

    async def login(self, username: str, next_path: str, password: str = PASSWORD) -> str:
        response = await self.client.post("/courier/login", data={"username": username, "password": password,
                                                                  "next": next_path})
        assert response.status == 200, await response.text()
        return await response.text()

    async def submit(self, page: str, action: str, expect: int = 200, **fields) -> str:
        """Submit the form of ``action`` on a rendered page, with its hidden fields, as the phone would."""
        form = re.search(rf'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrf" value="(\w+)">'
                         rf'\s*<input type="hidden" name="action" value="{action}">', page)
        assert form, f"the page offers no {action} form"
        response = await self.client.post(form.group(1), data={"csrf": form.group(2), "action": action, **fields})
        assert response.status == expect, (response.status, await response.text())
        return await response.text()


async def posted(running, client) -> tuple[MiniProgram, dict, dict]:
    """A case whose results went out by post: (the applicant, the case, its shipment)."""
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    await me.put(f"/applications/{case['id']}/delivery", {
        "method": "post", "recipient": "王青禾", "phone": "13812345678",
        "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}})
    await to_results_ready(running.app[workflow_key], case["id"])
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:6]}", "clerk")
    shipment = await clerk.post(f"/applications/{case['id']}/shipments", {
        "tracking_number": "EA123456789CN", "pieces": [{"description": "营业执照正副本"}]}, expect=201)
    return me, case, shipment
