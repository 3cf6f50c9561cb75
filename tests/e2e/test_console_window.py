"""The window clerk's pages: the intake queue, a case, and the intake decisions through forms."""

from __future__ import annotations

from storage.models import Application, AuditEvent, ReviewTask
from tests.support.console import ONE_BACKEND, Desk, submitted

pytestmark = ONE_BACKEND


async def test_the_intake_queue_lists_submitted_cases_with_their_countdown(wired):
    running, client = wired
    case_id = await submitted(running)
    number = (await Application.get(id=case_id)).number
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    html = await clerk.get("/staff/intake")
    assert number in html and f'href="/staff/cases/{case_id}"' in html
    assert "剩 5 个工作日" in html and "综合窗口" in html


async def test_the_case_page_masks_the_applicant_and_reveals_a_field_on_purpose(wired):
    running, client = wired
    case_id = await submitted(running)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    html = await clerk.get(f"/staff/cases/{case_id}")
    assert "110101199003074573" not in html and "13812345678" not in html
    assert "一次性告知" in html and "退回补正" in html
    html = await clerk.post(f"/staff/cases/{case_id}/reveal", {"field": "legal_rep_id_number"})
    assert "110101199003074573" in html
    assert await AuditEvent.filter(application_id=case_id, action="reveal_personal").count() == 1


async def test_accepting_with_a_deferred_material_and_its_due_date(wired):
    running, client = wired
    case_id = await submitted(running)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    page = await clerk.get(f"/staff/cases/{case_id}")
    assert 'name="owed"' in page
    code = page.split('name="owed" value="', 1)[1].split('"', 1)[0]
    await clerk.post(f"/staff/cases/{case_id}/accept", [("owed", code), (f"due_{code}", "2026-03-20")])
    row = await Application.get(id=case_id)
    assert row.state == "in_review" and [o["material"] for o in row.owed] == [code]
    assert row.owed[0]["due_on"] == "2026-03-20"


async def test_a_refused_decision_says_why_beside_its_form_and_keeps_what_was_typed(wired):
    running, client = wired
    case_id = await submitted(running)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    html = await clerk.post(f"/staff/cases/{case_id}/refuse", {"reason": "  "}, expect=422)  # as the API
    assert 'class="refusal"' in html and "Traceback" not in html
    page = await clerk.get(f"/staff/cases/{case_id}")
    code = page.split('name="owed" value="', 1)[1].split('"', 1)[0]
    html = await clerk.post(f"/staff/cases/{case_id}/accept", [("owed", code), ("note", "原件已核")], expect=400)
    assert "请为每项容缺材料填写承诺补交日期" in html and "原件已核" in html
    assert (await Application.get(id=case_id)).state == "submitted"


async def test_returning_composes_the_complete_list_shown_before_it_goes(wired):
    running, client = wired
    case_id = await submitted(running)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    page = await clerk.get(f"/staff/cases/{case_id}")
    material = page.split('name="material" value="', 1)[1].split('"', 1)[0]
    chosen = [("material", material), (f"why_material_{material}", "未签字"), ("field", "company_name"),
              ("note", "请补充经营场所照片")]
    preview = await clerk.post(f"/staff/cases/{case_id}/return-preview", chosen)
    assert "1. 材料“" in preview and "未签字" in preview and "3. 请补充经营场所照片" in preview
    await clerk.post(f"/staff/cases/{case_id}/return", chosen)
    row = await Application.get(id=case_id)
    assert row.state == "returned" and len(row.problems) == 3 and row.problems[2] == "请补充经营场所照片"


async def test_a_reviewer_sees_only_their_departments_cases(wired):
    running, client = wired
    case_id = await submitted(running)
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    await clerk.post(f"/staff/cases/{case_id}/accept")
    police = await Desk.sign_in(client, "fire", "reviewer", "fire")  # no item of this thing
    html = await police.get(f"/staff/cases/{case_id}", expect=404)
    assert "未找到" in html
    await police.get("/staff/intake", expect=404)
    market = await Desk.sign_in(client, "market", "reviewer", "market")
    task = await ReviewTask.get(application_id=case_id, department="market")
    html = await market.get("/staff/tasks")
    assert f'href="/staff/tasks/{task.id}"' in html
    await market.post(f"/staff/tasks/{task.id}/approve", {"result_number": "91330100MA2KXXXX0A"})
    assert (await ReviewTask.get(id=task.id)).state == "approved"
    await police.post(f"/staff/tasks/{task.id}/reject", {"reason": "x"}, expect=404)
