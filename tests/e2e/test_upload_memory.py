"""Uploads stream: a 64 MB body through the app never sits whole in its memory."""

from __future__ import annotations

import tracemalloc
import uuid
from datetime import timedelta

from tests.support.apps import start_app
from tests.support.miniapp import MiniProgram
from tests.support.streams import MiB, generated


async def test_a_64_mb_upload_through_the_app_stays_within_32_mb(aiohttp_server, aiohttp_client, tmp_path):
    running = await start_app(aiohttp_server, tmp_path)
    client = await aiohttp_client(running.server)
    upload = await running.store.presign_upload("big/scan.pdf", content_type="application/pdf",
                                                max_size=64 * MiB, expires=timedelta(minutes=5))
    tracemalloc.start()
    try:
        response = await client.put(upload.url.replace(running.url, ""), data=generated(64 * MiB),
                                    headers=upload.headers)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status == 200
    assert (await running.store.stat("big/scan.pdf")).size == 64 * MiB
    assert peak < 32 * MiB, f"peak {peak / MiB:.1f} MiB"


async def test_an_oversize_direct_upload_is_cut_off_early_and_keeps_nothing(aiohttp_server, aiohttp_client, tmp_path):
    running = await start_app(aiohttp_server, tmp_path)
    client = await aiohttp_client(running.server)
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "business-opening"}, expect=201)

    async def pdf_then_noise():
        yield b"%PDF-1.7\n"
        async for chunk in generated(64 * MiB):
            yield chunk

    tracemalloc.start()
    try:
        response = await client.put(f"/api/v1/applications/{case['id']}/materials/company-articles",
                                    data=pdf_then_noise(), headers={**me.headers, "Content-Type": "application/pdf"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "material_too_large"
    assert peak < 32 * MiB
    assert [p for p in (running.settings.data_dir / "objects" / "objects").rglob("*") if p.is_file()] == []
