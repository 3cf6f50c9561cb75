"""Uploads are judged by the whole file, on both ways in (presigned and streamed) and on both stores."""

from __future__ import annotations

import uuid

import pytest

from onething.services import file_checks
from tests.support import documents
from tests.support.apps import start_app
from tests.support.miniapp import MiniProgram

MATERIAL = "company-articles"
PAGE = b"%PDF-1.7\n<html><body><script>fetch('/staff/api/v1/applications')</script></body></html>\n"


@pytest.fixture(params=["folder", "s3"])
async def citizen(request, aiohttp_server, aiohttp_client, tmp_path):
    env = {"object_store_url": request.getfixturevalue("s3_url")} if request.param == "s3" else {}
    running = await start_app(aiohttp_server, tmp_path, **env)
    me = await MiniProgram.login(await aiohttp_client(running.server), f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)
    return me, case["id"]


async def test_a_pdf_header_followed_by_a_web_page_is_refused_either_way(citizen):
    me, case_id = citizen
    for refused in (await me.upload_direct(case_id, MATERIAL, PAGE, "application/pdf", expect=422),
                    await me.upload_presigned(case_id, MATERIAL, PAGE, "application/pdf", expect=422)):
        assert refused["error"]["code"] == "unreadable_file"
        assert "不是一份完整的 PDF" in refused["error"]["message"]
    assert (await me.get(f"/applications/{case_id}"))["materials"] == []
    await me.upload_presigned(case_id, MATERIAL, documents.pdf(), "application/pdf")


async def test_a_damaged_image_is_refused_with_its_own_message(citizen):
    me, case_id = citizen
    cut = documents.jpeg(64, 64)[:300]
    refused = await me.upload_presigned(case_id, MATERIAL, cut, "image/jpeg", expect=422)
    assert refused["error"]["message"] == "图片已损坏或不完整，无法打开，请重新拍摄或选择。"
    assert (await me.get(f"/applications/{case_id}"))["materials"] == []


async def test_an_image_too_large_to_decode_safely_is_refused_saying_so(citizen, monkeypatch):
    me, case_id = citizen
    monkeypatch.setattr(file_checks, "MAX_DECODED_BYTES", 32 * 32)
    refused = await me.upload_direct(case_id, MATERIAL, documents.png(64, 64), "image/png", expect=422)
    assert refused["error"]["code"] == "image_too_large"
    await me.upload_direct(case_id, MATERIAL, documents.png(32, 32), "image/png")


async def test_an_empty_file_is_told_it_is_empty_not_too_large(citizen):
    me, case_id = citizen
    asked = await me.post(f"/applications/{case_id}/materials/{MATERIAL}/upload-url",
                          {"filename": "a.pdf", "content_type": "application/pdf", "size": 0}, expect=422)
    streamed = await me.upload_direct(case_id, MATERIAL, b"", "application/pdf", expect=422)
    for refused in (asked, streamed):
        assert refused["error"]["code"] == "empty_file"
        assert refused["error"]["message"] == "文件是空的（0 字节），请重新选择文件。"
