"""The object store contract, run against the folder store and against S3 (a local moto server)."""

from __future__ import annotations

import base64
import json
import tracemalloc
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit, urlunsplit, urlencode

import aiohttp
import pytest

from storage.objects import ObjectNotFound, ObjectTooLarge, PresignedUpload
from tests.support.apps import start_app
from tests.support.streams import MiB, generated, generated_sha256, sha256_of


@pytest.fixture(params=["folder", "s3"])
async def running(request, aiohttp_server, tmp_path):
    env = {}
    if request.param == "s3":
        env["object_store_url"] = request.getfixturevalue("s3_url")
    return await start_app(aiohttp_server, tmp_path, **env)


async def perform_upload(upload: PresignedUpload, data: bytes, content_type: str | None = None) -> int:
    """Send a file the way the mini-program does with a presigned upload."""
    async with aiohttp.ClientSession() as session:
        if upload.method == "PUT":
            headers = dict(upload.headers)
            if content_type:
                headers["Content-Type"] = content_type
            async with session.put(upload.url, data=data, headers=headers) as response:
                return response.status
        form = aiohttp.FormData()
        for name, value in upload.fields.items():
            form.add_field(name, value)
        form.add_field(upload.file_field, data, filename="upload.bin", content_type=upload.content_type)
        async with session.post(upload.url, data=form) as response:
            return response.status


async def test_a_large_stream_is_stored_with_bounded_memory(running):
    size = 64 * MiB
    tracemalloc.start()
    try:
        info = await running.store.put("big/file.bin", generated(size), content_type="application/pdf")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size == size
    assert peak < 24 * MiB, f"peak {peak / MiB:.1f} MiB while storing 64 MiB"
    digest, got = await sha256_of(running.store.get("big/file.bin"))
    assert (digest, got) == (generated_sha256(size), size)


async def test_stat_get_and_delete(running):
    store = running.store
    await store.put("a/b.pdf", generated(1000), content_type="application/pdf")
    info = await store.stat("a/b.pdf")
    assert (info.size, info.content_type) == (1000, "application/pdf")
    await store.delete("a/b.pdf")
    with pytest.raises(ObjectNotFound):
        await store.stat("a/b.pdf")
    with pytest.raises(ObjectNotFound):
        async for _ in store.get("a/b.pdf"):
            pass
    await store.delete("a/b.pdf")  # deleting twice is fine


async def test_a_stream_over_its_limit_is_refused_and_leaves_nothing(running):
    with pytest.raises(ObjectTooLarge):
        await running.store.put("too/big.jpg", generated(6 * MiB), content_type="image/jpeg", max_size=5 * MiB)
    with pytest.raises(ObjectNotFound):
        await running.store.stat("too/big.jpg")


async def test_a_moved_object_is_out_of_reach_of_its_upload_link(running):
    store = running.store
    upload = await store.presign_upload("up/scan.bin", content_type="application/pdf", max_size=MiB,
                                        expires=timedelta(minutes=10))
    assert await perform_upload(upload, b"checked" * 100) in (200, 201, 204)
    moved = await store.move("up/scan.bin", "kept/scan.bin")
    assert (moved.size, moved.content_type) == (700, "application/pdf")
    with pytest.raises(ObjectNotFound):
        await store.stat("up/scan.bin")
    await perform_upload(upload, b"swapped" * 100)  # the link is still valid: it writes only its own key
    assert b"".join([chunk async for chunk in store.get("kept/scan.bin")]) == b"checked" * 100
    with pytest.raises(ObjectNotFound):
        await store.move("never/uploaded.bin", "kept/other.bin")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/../b", "", "a b"])
async def test_path_like_keys_are_refused(running, key):
    with pytest.raises(ValueError):
        await running.store.stat(key)


async def test_presigned_upload_then_download_over_http(running):
    store = running.store
    upload = await store.presign_upload("up/id-card.png", content_type="image/png", max_size=MiB,
                                        expires=timedelta(minutes=10))
    assert await perform_upload(upload, b"\x89PNG\r\n\x1a\n" + b"x" * 500) in (200, 201, 204)
    info = await store.stat("up/id-card.png")
    assert (info.size, info.content_type) == (508, "image/png")
    url = await store.presign_download("up/id-card.png", expires=timedelta(minutes=5), filename="身份证.png")
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert (await response.read()).startswith(b"\x89PNG")


async def test_s3_upload_policy_carries_its_limits(aiohttp_server, tmp_path, s3_url):
    running = await start_app(aiohttp_server, tmp_path, object_store_url=s3_url)
    upload = await running.store.presign_upload("k/x.pdf", content_type="application/pdf", max_size=2048,
                                                expires=timedelta(minutes=15))
    policy = json.loads(base64.b64decode(upload.fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 2048] in conditions
    assert ["eq", "$key", "k/x.pdf"] in conditions
    assert ["eq", "$Content-Type", "application/pdf"] in conditions
    assert policy["expiration"].startswith(upload.expires_at.strftime("%Y-%m-%dT%H:%M"))
    # moto does not enforce expiry or signatures; what the URL carries is what S3 would check.
    download = urlsplit(await running.store.presign_download("k/x.pdf", expires=timedelta(minutes=5)))
    assert parse_qs(download.query)["X-Amz-Expires"] == ["300"]


class TestFolderStoreSignedUrls:
    """The folder store's URLs are signed by the app, which must refuse any it did not issue."""

    @pytest.fixture
    async def running(self, aiohttp_server, tmp_path):
        return await start_app(aiohttp_server, tmp_path)

    async def test_an_expired_url_is_refused(self, running):
        upload = await running.store.presign_upload("e/x.png", content_type="image/png", max_size=100,
                                                    expires=timedelta(seconds=-1))
        async with aiohttp.ClientSession() as session:
            async with session.put(upload.url, data=b"x", headers=upload.headers) as response:
                assert response.status == 403
                assert (await response.json())["error"]["code"] == "link_expired"

    async def test_a_tampered_url_is_refused(self, running):
        upload = await running.store.presign_upload("t/x.png", content_type="image/png", max_size=100,
                                                    expires=timedelta(minutes=5))
        parts = urlsplit(upload.url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query["max"] = str(10 * MiB)  # try to lift the size limit
        forged = urlunsplit(parts._replace(query=urlencode(query)))
        async with aiohttp.ClientSession() as session:
            async with session.put(forged, data=b"x", headers=upload.headers) as response:
                assert response.status == 403
                assert (await response.json())["error"]["code"] == "link_invalid"
        with pytest.raises(ObjectNotFound):
            await running.store.stat("t/x.png")

    async def test_the_signed_type_and_size_are_enforced(self, running):
        upload = await running.store.presign_upload("s/x.png", content_type="image/png", max_size=100,
                                                    expires=timedelta(minutes=5))
        assert await perform_upload(upload, b"x" * 10, content_type="application/pdf") == 415
        assert await perform_upload(upload, b"x" * 101) == 413
        with pytest.raises(ObjectNotFound):
            await running.store.stat("s/x.png")

    async def test_a_download_url_cannot_upload(self, running):
        await running.store.put("d/x.png", generated(10), content_type="image/png")
        url = await running.store.presign_download("d/x.png", expires=timedelta(minutes=5))
        async with aiohttp.ClientSession() as session, session.put(url, data=b"evil") as response:
            assert response.status == 403
