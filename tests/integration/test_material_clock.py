"""A document's trail entry is traced at the workflow's clock, like every other step of the case."""

from __future__ import annotations

from datetime import timedelta

import pytest

from onething.domain.files import Inspector
from onething.services import materials, wallet
from onething.services.reference import load_calendar, load_catalog
from onething.services.workflow import Workflow
from storage import db
from storage.models import AuditEvent, MaterialFile
from storage.objects.folder import FolderObjectStore
from tests.support import documents
from tests.support.apps import migrated
from tests.support.cases import MONDAY, Clock, draft

MATERIAL = "legal-rep-id-card"  # reusable: a window-accepted copy is offered again


@pytest.fixture
async def database(database_url):
    await migrated(database_url)
    async with db.database(database_url):
        yield


async def inspected(content: bytes) -> Inspector:
    async def chunks():
        yield content
    inspector = Inspector(chunks())
    async for _ in inspector.stream():
        pass
    return inspector


async def test_an_upload_and_a_reuse_from_the_wallet_are_traced_at_the_clock_given(database, tmp_path):
    content = documents.pdf("lease")
    store = FolderObjectStore(tmp_path, secret="s" * 32, public_url="http://objects.test")
    await store.open()
    clock = Clock(MONDAY)
    flow = Workflow(load_catalog(), load_calendar(), clock=clock)
    row = await draft()
    applicant = await row.applicant
    file = await materials.record(flow, row, applicant, MATERIAL, f"materials/{row.id}/lease", "lease.pdf",
                                  await inspected(content))
    await store.put(file.object_key, _once(content), content_type="application/pdf")
    await MaterialFile.filter(id=file.id).update(verified=True)  # a window accepted it once

    later = clock.now = MONDAY + timedelta(days=3)
    again = await draft(applicant=applicant)
    await wallet.attach_from_wallet(store, flow, again, applicant, MATERIAL, file.id)
    traced = {e.application_id: (e.action, e.at) for e in await AuditEvent.filter(
        application_id__in=[row.id, again.id], action="attach_material")}
    assert traced == {row.id: ("attach_material", MONDAY), again.id: ("attach_material", later)}


async def _once(content: bytes):
    yield content
