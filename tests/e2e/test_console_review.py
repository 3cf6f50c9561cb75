"""The department reviewer's task page: pausing the clock, an extension, a return, a certificate, a refusal."""

from __future__ import annotations

from aiohttp import FormData

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import ReviewTask
from tests.support import documents
from tests.support.console import ONE_BACKEND, Desk, submitted

pytestmark = ONE_BACKEND


async def licence_task(running) -> ReviewTask:
    case_id = await submitted(running)
    await running.app[workflow_key].accept(case_id, Actor("staff:clerk", "clerk"))
    return await ReviewTask.get(application_id=case_id, department="market")


async def test_pausing_for_an_inspection_and_resuming(wired):
    running, client = wired
    task = await licence_task(running)
    market = await Desk.sign_in(client, "market", "reviewer", "market")
    html = await market.post(f"/staff/tasks/{task.id}/pause", {"kind": "inspection", "note": "现场核查经营场所"})
    assert "恢复计时" in html and (await ReviewTask.get(id=task.id)).pause_kind == "inspection"
    await market.post(f"/staff/tasks/{task.id}/resume")
    assert (await ReviewTask.get(id=task.id)).state == "in_review"


async def test_an_extension_request_and_a_return_with_the_whole_list(wired):
    running, client = wired
    task = await licence_task(running)
    market = await Desk.sign_in(client, "market", "reviewer", "market")
    await market.post(f"/staff/tasks/{task.id}/extension", {"reason": "需组织专家论证"})
    assert (await ReviewTask.get(id=task.id)).extension_state == "pending"
    await market.post(f"/staff/tasks/{task.id}/return", {"problems": "章程未签字\n\n住所证明模糊"})
    assert (await ReviewTask.get(id=task.id)).problems == ["章程未签字", "住所证明模糊"]


async def test_a_refused_rejection_keeps_the_form_and_answers_as_the_api(wired):
    running, client = wired
    task = await licence_task(running)
    market = await Desk.sign_in(client, "market", "reviewer", "market")
    html = await market.post(f"/staff/tasks/{task.id}/reject", {"reason": " "}, expect=422)
    assert 'class="refusal"' in html and (await ReviewTask.get(id=task.id)).state == "in_review"
    html = await market.post(f"/staff/tasks/{task.id}/pause", {"kind": "holiday", "note": "无此类型"}, expect=422)
    assert "无此类型" in html


async def test_uploading_the_certificate_as_a_pdf_only(wired):
    running, client = wired
    task = await licence_task(running)
    market = await Desk.sign_in(client, "market", "reviewer", "market")

    async def upload(data: bytes, content_type: str, csrf: str | None = None):
        body = FormData()  # as the page's form sends it: the token first, then the file
        body.add_field("csrf", csrf or market.csrf)
        body.add_field("certificate", data, filename="licence.pdf", content_type=content_type)
        return await market.request("POST", f"/staff/tasks/{task.id}/certificate", data=body)

    assert (await upload(documents.pdf(), "application/pdf", csrf="forged")).status == 403
    refused = await upload(documents.png(), "image/png")
    assert refused.status == 415 and "PDF" in await refused.text()
    done = await upload(documents.pdf(), "application/pdf")
    assert done.status == 200 and (await ReviewTask.get(id=task.id)).certificate_key
