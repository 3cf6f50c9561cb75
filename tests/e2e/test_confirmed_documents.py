"""A confirmed document is frozen: its upload link no longer reaches what staff download or the wallet reuses.

Run on the folder store and on S3 (a local moto server), as the mini-program, a late writer and a clerk do.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import aiohttp
import pytest

from onething.keys import workflow_key
from onething.services.case_store import Actor
from tests.support import documents
from tests.support.apps import start_app
from tests.support.miniapp import MiniProgram
from tests.support.staff_api import StaffApi

MATERIAL = "applicant-id-card"  # reusable from the wallet
HOSTILE = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture(params=["folder", "s3"])
async def service(request, aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    env = {"database_url": database_url, "redis_url": redis_url}
    if request.param == "s3":
        env["object_store_url"] = request.getfixturevalue("s3_url")
    running = await start_app(aiohttp_server, tmp_path, **env)
    return running, await aiohttp_client(running.server)


async def send(upload: dict, data: bytes, content_type: str) -> int:
    """Send bytes to an upload link exactly as issued (a PUT URL, or an S3 POST policy's fields)."""
    async with aiohttp.ClientSession() as session:
        if upload["method"] == "PUT":
            async with session.put(upload["url"], data=data, headers=upload["headers"]) as response:
                return response.status
        form = aiohttp.FormData()
        for key, value in upload["fields"].items():
            form.add_field(key, value)
        form.add_field(upload["file_field"], data, filename="f", content_type=content_type)
        async with session.post(upload["url"], data=form) as response:
            return response.status


async def sent_to_its_link(client, label: str = "") -> tuple[MiniProgram, dict, dict, bytes]:
    """A newborn case whose applicant has sent a PDF to its presigned link, not yet confirmed."""
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "newborn"}, expect=201)
    checked = documents.pdf(label) if label else documents.pdf()
    upload = await me.post(f"/applications/{case['id']}/materials/{MATERIAL}/upload-url",
                           {"filename": "id.pdf", "content_type": "application/pdf", "size": len(checked)})
    assert await send(upload, checked, "application/pdf") in (200, 204)
    return me, case, upload, checked


async def staff_copy(clerk: StaffApi, client, case_id: int) -> tuple[bytes, dict]:
    [document] = (await clerk.get(f"/applications/{case_id}"))["materials"]
    assert document["download_url"], document
    async with client.session.get(document["download_url"]) as response:
        assert response.status == 200
        return await response.read(), document


async def test_a_late_upload_to_a_confirmed_documents_link_changes_nothing_anyone_reads(service):
    running, client = service
    flow = running.app[workflow_key]
    me, case, upload, checked = await sent_to_its_link(client, "身份证扫描件")
    await me.post(f"/applications/{case['id']}/materials/{MATERIAL}/confirm")
    await flow.act(case["id"], Actor("citizen:x", "citizen"), lambda c, now: c.submit(now, flow.calendar))

    # the same link, still within its 15 minutes, now carrying something else of the same size
    late = (HOSTILE * (len(checked) // len(HOSTILE) + 1))[: len(checked)]
    await send(upload, late, "application/pdf")

    clerk = await StaffApi.login(client, f"c-{uuid.uuid4().hex[:6]}", "clerk")
    await clerk.post(f"/applications/{case['id']}/accept")
    served, document = await staff_copy(clerk, client, case["id"])
    assert served == checked
    assert document["sha256"] == hashlib.sha256(checked).hexdigest()

    wallet = (await me.get("/me/wallet"))["items"]
    second = await me.post("/applications", {"thing": "newborn"}, expect=201)
    await me.post(f"/applications/{second['id']}/materials/{MATERIAL}", {"file": wallet[0]["id"]})
    await flow.act(second["id"], Actor("citizen:x", "citizen"), lambda c, now: c.submit(now, flow.calendar))
    reused, _ = await staff_copy(clerk, client, second["id"])
    assert reused == checked


async def put_under(running, file_id: int, data: bytes) -> None:
    """Change a kept copy behind the service's back (a record from before copies were frozen, or the store itself)."""
    from storage.models import MaterialFile

    file = await MaterialFile.get(id=file_id)

    async def chunks():
        yield data

    await running.store.put(file.object_key, chunks(), content_type=file.content_type)


async def test_a_kept_copy_that_no_longer_matches_its_record_is_neither_reused_nor_linked(service):
    running, client = service
    flow = running.app[workflow_key]
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    first = await me.post("/applications", {"thing": "newborn"}, expect=201)
    checked = documents.pdf("原件甲")
    await me.upload_presigned(first["id"], MATERIAL, checked, "application/pdf")
    await flow.act(first["id"], Actor("citizen:x", "citizen"), lambda c, now: c.submit(now, flow.calendar))
    clerk = await StaffApi.login(client, f"c-{uuid.uuid4().hex[:6]}", "clerk")
    await clerk.post(f"/applications/{first['id']}/accept")
    [kept] = (await me.get("/me/wallet"))["items"]

    await put_under(running, kept["id"], documents.pdf("原件乙"))  # same size: only the hash tells
    second = await me.post("/applications", {"thing": "newborn"}, expect=201)
    refused = await me.post(f"/applications/{second['id']}/materials/{MATERIAL}", {"file": kept["id"]}, expect=409)
    assert refused["error"]["code"] == "wallet_file_changed"
    assert (await me.get(f"/applications/{second['id']}"))["materials"] == []

    await put_under(running, kept["id"], HOSTILE)
    [document] = (await clerk.get(f"/applications/{first['id']}"))["materials"]
    assert (document["intact"], document["download_url"]) == (False, None)


async def test_two_confirms_at_once_record_the_document_once(service):
    running, client = service
    me, case, upload, checked = await sent_to_its_link(client)
    path = f"/api/v1/applications/{case['id']}/materials/{MATERIAL}/confirm"
    answers = await asyncio.gather(*(client.post(path, json={}, headers=me.headers) for _ in range(2)))
    assert sorted(a.status for a in answers)[0] == 200 and all(a.status in (200, 409) for a in answers)
    from storage.models import MaterialFile

    assert await MaterialFile.filter(object_key__startswith=f"materials/{case['id']}/").count() == 1
    assert [m["material"] for m in (await me.get(f"/applications/{case['id']}"))["materials"]] == [MATERIAL]


async def kept_keys(running, case_id: int) -> list[str]:
    """Every object under the case's kept documents, straight from the store."""
    store, prefix = running.store, f"materials/{case_id}/"
    if hasattr(store, "_client"):
        found = await asyncio.to_thread(lambda: list(store._client.list_objects(store.bucket, prefix, recursive=True)))
        return sorted(item.object_name for item in found)
    return sorted(str(p.relative_to(store._objects)) for p in (store._objects / prefix).rglob("*") if p.is_file())


def fail_once(monkeypatch, running, where: str) -> None:
    """The store or the database away at one point of the first confirm, and back for the retry."""
    from tortoise.exceptions import DBConnectionError

    from onething.services import case_store

    async def unreachable(*_, **__):
        monkeypatch.undo()
        raise DBConnectionError("connection refused")

    if where == "examining":
        async def unreachable_store(key):
            monkeypatch.undo()
            raise ConnectionError("store unreachable")
            yield b""

        monkeypatch.setattr(running.store, "get", unreachable_store)
    elif where == "recording":  # inside the transaction, after the file's row was written
        monkeypatch.setattr(case_store, "record", unreachable)
    else:  # the row committed, but its answer never came back
        from onething.services import pending_uploads

        record = pending_uploads.record

        async def committed_then_lost(*args, **kwargs):
            await record(*args, **kwargs)
            await unreachable()

        monkeypatch.setattr(pending_uploads, "record", committed_then_lost)


@pytest.mark.parametrize("where", ["examining", "recording", "answering"])
async def test_a_confirm_that_fails_after_moving_the_file_is_retried_and_records_it_once(service, monkeypatch, where):
    from storage.models import MaterialFile

    running, client = service
    me, case, upload, checked = await sent_to_its_link(client, "重试确认")
    path = f"/api/v1/applications/{case['id']}/materials/{MATERIAL}/confirm"
    fail_once(monkeypatch, running, where)
    failed = await client.post(path, json={}, headers=me.headers)
    assert failed.status == 503 and failed.headers["Retry-After"], await failed.text()

    retried = await me.post(f"/applications/{case['id']}/materials/{MATERIAL}/confirm")
    again = await me.post(f"/applications/{case['id']}/materials/{MATERIAL}/confirm")  # the recorded state
    assert [m["material"] for m in retried["materials"]] == [m["material"] for m in again["materials"]] == [MATERIAL]
    [file] = await MaterialFile.filter(object_key__startswith=f"materials/{case['id']}/")
    assert file.sha256 == hashlib.sha256(checked).hexdigest() and file.size == len(checked)
    assert await kept_keys(running, case["id"]) == [file.object_key]
    clerk = await StaffApi.login(client, f"c-{uuid.uuid4().hex[:6]}", "clerk")
    flow = running.app[workflow_key]
    await flow.act(case["id"], Actor("citizen:x", "citizen"), lambda c, now: c.submit(now, flow.calendar))
    await clerk.post(f"/applications/{case['id']}/accept")
    served, document = await staff_copy(clerk, client, case["id"])
    assert served == checked and document["sha256"] == file.sha256


async def test_a_file_refused_on_confirm_is_kept_nowhere_and_must_be_sent_again(service):
    running, client = service
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    case = await me.post("/applications", {"thing": "newborn"}, expect=201)
    page = b"%PDF-1.7\n" + HOSTILE
    refused = await me.upload_presigned(case["id"], MATERIAL, page, "application/pdf", expect=422)
    assert refused["error"]["code"] == "unreadable_file"
    assert await kept_keys(running, case["id"]) == []
    again = await me.post(f"/applications/{case['id']}/materials/{MATERIAL}/confirm", expect=409)
    assert again["error"]["code"] == "no_upload"


async def test_a_confirm_sent_while_another_holds_the_upload_is_told_to_wait_then_finds_it_recorded(
        service, monkeypatch):
    from storage.models import MaterialFile

    running, client = service
    me, case, upload, checked = await sent_to_its_link(client, "双击确认")
    reading, release, get = asyncio.Event(), asyncio.Event(), running.store.get

    async def slow_get(key):  # the first confirm, still reading the moved copy
        reading.set()
        await release.wait()
        async for chunk in get(key):
            yield chunk

    monkeypatch.setattr(running.store, "get", slow_get)
    path = f"/applications/{case['id']}/materials/{MATERIAL}/confirm"
    first = asyncio.create_task(me.post(path))
    await asyncio.wait_for(reading.wait(), 10)
    waiting = await me.post(path, expect=409)
    assert (waiting["error"]["code"], waiting["error"]["message"]) == ("confirm_in_progress", "文件正在确认中，请稍后刷新查看。")
    release.set()
    assert [m["material"] for m in (await first)["materials"]] == [MATERIAL]
    later = await me.post(path)
    assert [m["material"] for m in later["materials"]] == [MATERIAL]
    [file] = await MaterialFile.filter(object_key__startswith=f"materials/{case['id']}/")
    assert file.sha256 == hashlib.sha256(checked).hexdigest()
