"""The window after review: results ready, the receipt with its WeChat code, posting with a slip, hand-over."""

from __future__ import annotations

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import Application, ReviewTask, Shipment
from tests.support.cases import draft
from tests.support.console import ONE_BACKEND, Desk, submitted

pytestmark = ONE_BACKEND
ADDRESS = {"method": "post", "recipient": "王青禾", "phone": "13812345678",
           "address": {"province": "浙江省", "city": "杭州市", "district": "某县", "detail": "城关镇解放路18号"}}


async def approved(running, case_id: int) -> None:
    flow, reviewer = running.app[workflow_key], Actor("staff:reviewer", "reviewer")
    await flow.accept(case_id, Actor("staff:clerk", "clerk"))
    while open_tasks := await ReviewTask.filter(application_id=case_id, state="in_review"):
        for task in open_tasks:
            await flow.approve(task, reviewer, result_number=f"R{task.id}")


async def test_the_receipt_prints_with_the_cases_wechat_code(wired):
    running, client = wired
    case_id = await submitted(running)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    await clerk.post(f"/staff/cases/{case_id}/accept")
    html = await clerk.get(f"/staff/cases/{case_id}/receipt")
    number = (await Application.get(id=case_id)).number
    assert "受理回执" in html and number in html and 'src="data:image/svg+xml' in html
    assert "110101199003074573" not in html and "@media print" not in html  # the print rules are in the stylesheet


async def test_results_ready_then_handed_over_at_the_window(wired):
    running, client = wired
    case_id = await submitted(running)
    await approved(running, case_id)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    html = await clerk.post(f"/staff/cases/{case_id}/results-ready")
    assert "申请人已当面领取" in html and (await Application.get(id=case_id)).state == "results_ready"
    await clerk.post(f"/staff/cases/{case_id}/handover")
    assert (await Application.get(id=case_id)).state == "closed"  # collected, and so closed


async def test_posting_the_results_prints_the_slip_and_a_refusal_keeps_the_form(wired):
    running, client = wired
    row = await draft()
    await Application.filter(id=row.id).update(delivery=ADDRESS)
    await running.app[workflow_key].submit(row.id, Actor("citizen:x", "citizen"))
    await approved(running, row.id)
    await running.app[workflow_key].results_ready(row.id, Actor("staff:clerk", "clerk"))
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    html = await clerk.post(f"/staff/cases/{row.id}/shipments", {"carrier": "ems", "tracking_number": "",
                                                                "pieces": "营业执照正副本"}, expect=422)
    assert 'class="refusal"' in html and "营业执照正副本" in html
    html = await clerk.post(f"/staff/cases/{row.id}/shipments", {"carrier": "ems", "tracking_number": "EA123456789CN",
                                                                "pieces": "营业执照正副本\n公章"})
    shipment = await Shipment.get(application_id=row.id)
    assert "EA123456789CN" in html and shipment.pieces == ["营业执照正副本", "公章"]
