"""Sniff and store, once for every upload: a file is kept only when it is whole and what it claims
to be; whatever fails is deleted again and refused in the caller's words or the plain ones."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from onething.domain.refusals import Refused
from onething.services.file_checks import store_checked
from storage.objects import ObjectNotFound
from tests.support import documents
from tests.support.apps import start_app
from tests.support.streams import MiB, generated

PDF, PNG = "application/pdf", "image/png"
TOO_LARGE = Refused("document_too_large", status=413, details={"limit_mb": 1})


@pytest.fixture(params=["folder", "s3"])
async def store(request, aiohttp_server, tmp_path):
    env = {"object_store_url": request.getfixturevalue("s3_url")} if request.param == "s3" else {}
    return (await start_app(aiohttp_server, tmp_path, **env)).store


async def chunks_of(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def refused(store, key: str, chunks, content_type: str = PDF, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        await store_checked(store, key, chunks, content_type=content_type, max_size=MiB, too_large=TOO_LARGE, **kwargs)
    with pytest.raises(ObjectNotFound):
        await store.stat(key)  # nothing of it kept
    return caught.value


async def test_a_whole_file_is_kept_and_its_inspector_says_what_it_is(store):
    data = documents.pdf("营业执照")
    inspector = await store_checked(store, "checked/whole.pdf", chunks_of(data), content_type=PDF, max_size=MiB,
                                    too_large=TOO_LARGE)
    assert (inspector.size, inspector.sniffed_type) == (len(data), PDF)
    assert (await store.stat("checked/whole.pdf")).size == len(data)


async def test_what_is_not_whole_or_not_what_it_claims_is_deleted_and_refused(store):
    page = await refused(store, "checked/page.pdf", chunks_of(b"%PDF-1.7\n<html>hello</html>\n%%EOF\n"))
    assert (page.code, page.status, page.details) == ("unreadable_file", 422, {"kind": "PDF"})
    cut = documents.png(64, 64)[:-30]
    assert (await refused(store, "checked/cut.png", chunks_of(cut), PNG)).code == "unreadable_file"
    liar = await refused(store, "checked/liar.pdf", chunks_of(documents.png()))
    assert (liar.code, liar.status, liar.details) == ("type_mismatch", 415, {"kind": "PDF"})


async def test_an_oversized_stream_gets_the_callers_refusal(store):
    assert await refused(store, "checked/big.pdf", generated(2 * MiB)) is TOO_LARGE


async def test_the_callers_own_judgement_replaces_the_plain_one(store):
    seen = []

    async def check(examiner):
        seen.append((examiner.inspector.size, await examiner.problem()))
        return Refused("size_mismatch") if examiner.inspector.size != 10 else None

    data = documents.pdf()
    assert (await refused(store, "checked/own.pdf", chunks_of(data), check=check)).code == "size_mismatch"
    assert seen == [(len(data), None)]  # the whole file was there to judge
