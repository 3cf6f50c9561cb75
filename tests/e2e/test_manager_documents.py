"""A document a manager sends to an enterprise's contacts is judged by the whole file too."""

from __future__ import annotations

import uuid

from tests.support import documents
from tests.support.builders import credit_code
from tests.support.staff_api import StaffApi


async def test_a_document_that_does_not_open_is_not_sent(wired):
    running, client = wired
    manager = await StaffApi.login(client, f"manager-{uuid.uuid4().hex[:8]}", "manager")
    enterprise = await manager.post("/enterprises", {"name": "青禾餐饮有限公司", "credit_code": credit_code()}, expect=201)
    path = f"/enterprises/{enterprise['id']}/messages/document?filename=通知.pdf"
    page = await manager.call("PUT", path, 422, data=b"%PDF-1.7\n<html><script></script></html>",
                              headers={"Content-Type": "application/pdf"})
    assert page["error"]["code"] == "unreadable_file"
    cut = await manager.call("PUT", path, 422, data=documents.png(40, 40)[:-30], headers={"Content-Type": "image/png"})
    assert cut["error"]["code"] == "unreadable_file"
    whole = await manager.call("PUT", path, 422, data=documents.pdf(), headers={"Content-Type": "application/pdf"})
    assert whole["error"]["code"] == "no_contacts"  # a whole file gets as far as the contacts
    assert [p for p in (running.settings.data_dir / "objects" / "objects").rglob("*") if p.is_file()] == []
