"""The supervisor's console pages: bad-rating follow-ups, the notifications outbox, the credit blacklist,
and a refusal overturned, recorded from the case's page."""

from __future__ import annotations

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import AuditEvent, CreditFlag, Notification, SupervisionFact
from tests.support.cases import draft
from tests.support.builders import credit_code
from tests.support.apps import drain_jobs
from tests.support.console import ONE_BACKEND, Desk
from tests.support.console_rest import bad_rating, page_queries

pytestmark = ONE_BACKEND


async def test_a_supervisor_closes_a_follow_up_with_a_note_and_an_empty_note_is_refused(wired):
    running, client = wired
    case_id = await bad_rating(running)
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    html = await supervisor.get("/staff/follow-ups")
    assert "等了很久" in html and "1 分" in html
    evaluation = html.split('action="/staff/follow-ups/', 1)[1].split("/", 1)[0]
    refused = await supervisor.post(f"/staff/follow-ups/{evaluation}/close", {"note": "  "}, expect=422)
    assert 'class="refusal"' in refused
    done = await supervisor.post(f"/staff/follow-ups/{evaluation}/close", {"note": "已电话回访，申请人表示理解"})
    assert "回访已办结" in done and f"/staff/follow-ups/{evaluation}/close" not in done
    event = await AuditEvent.filter(application_id=case_id, action="close_follow_up").first()
    assert event.note == "已电话回访，申请人表示理解" and event.role == "supervisor"
    again = await supervisor.post(f"/staff/follow-ups/{evaluation}/close", {"note": "再次"}, expect=409)
    assert "该差评回访已办结" in again
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    await clerk.get("/staff/follow-ups", expect=404)


async def test_the_outbox_filters_by_state_and_an_admin_sends_a_failed_notification_again(wired):
    running, client = wired
    case_id = await bad_rating(running)
    failed = await Notification.filter(application_id=case_id).order_by("id").first()
    await Notification.filter(id=failed.id).update(state="failed", last_error="errcode 43004: 需关注公众号")
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    html = await supervisor.get("/staff/outbox?state=failed")
    assert "errcode 43004" in html and f"/staff/outbox/{failed.id}/retry" not in html  # the API's rule: admins retry
    await supervisor.post(f"/staff/outbox/{failed.id}/retry", {}, expect=404)
    admin = await Desk.sign_in(client, "admin", "admin")
    assert f"/staff/outbox/{failed.id}/retry" in await admin.get("/staff/outbox?state=failed")
    html = await admin.post(f"/staff/outbox/{failed.id}/retry", {"state": "failed"})
    assert "已重新排队发送" in html and (await Notification.get(id=failed.id)).state == "pending"
    assert "只有发送失败" in await admin.post(f"/staff/outbox/{failed.id}/retry", {}, expect=409)


async def test_the_blacklist_sets_and_clears_a_flag_and_never_shows_an_id_number_whole(wired):
    _, client = wired
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    code = credit_code()
    html = await supervisor.post("/staff/credit", {"subject": "enterprise", "number": code, "action": "set",
                                                   "reason": "虚假承诺", "document": "信用认定〔2026〕1号"})
    assert "失信标记已更新" in html and "虚假承诺" in html
    assert await CreditFlag.filter(key=code, active=True).exists()
    html = await supervisor.post("/staff/credit", {"subject": "citizen", "number": "110101199003074573",
                                                   "action": "set", "reason": "虚假材料", "document": "认定〔2026〕2号"})
    assert "110101199003074573" not in html and "虚假材料" in html
    refused = await supervisor.post("/staff/credit", {"subject": "citizen", "number": "110101199003074570",
                                                      "action": "set", "reason": "x", "document": "y"}, expect=422)
    assert "110101199003074570" not in refused and 'class="refusal"' in refused and ">x</textarea>" in refused
    await supervisor.post("/staff/credit", {"subject": "enterprise", "number": code, "action": "clear",
                                            "reason": "信用修复", "document": "修复〔2026〕3号"})
    assert not await CreditFlag.filter(key=code, active=True).exists()
    assert "信用修复" in await supervisor.get("/staff/credit?state=all")


async def test_the_supervisors_lists_take_the_same_queries_for_one_row_or_three(wired):
    running, client = wired
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    await bad_rating(running)

    async def counts() -> list[int]:
        await drain_jobs(running.app)  # what the setup set going (notifications, sending) is not the page's
        found = []
        for path in ("/staff/follow-ups", "/staff/outbox", "/staff/credit?state=all"):
            found.append(await page_queries(supervisor, path))
        return found

    await supervisor.post("/staff/credit", {"subject": "enterprise", "number": credit_code(), "action": "set",
                                            "reason": "虚假承诺", "document": "文书1"})
    await counts()
    before = await counts()
    for _ in range(2):
        await bad_rating(running)
        await supervisor.post("/staff/credit", {"subject": "enterprise", "number": credit_code(), "action": "set",
                                                "reason": "虚假承诺", "document": "文书2"})
    assert await counts() == before


async def test_a_supervisor_records_an_overturned_refusal_from_the_cases_page_and_no_one_else_can(wired):
    running, client = wired
    flow, row = running.app[workflow_key], await draft("business-opening")
    await flow.submit(row.id, Actor(f"citizen:{row.applicant_id}", "citizen"))
    await flow.refuse(row.id, Actor("staff:window-1", "clerk"), "不属于本中心受理范围")
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    page = await supervisor.get(f"/staff/cases/{row.id}")
    assert "记录撤销决定" in page and "整件的不予受理决定" in page and "行政复议" in page
    refused = await supervisor.post(f"/staff/cases/{row.id}/overturn", {"item": "", "basis": ""}, expect=400)
    assert "请选择撤销依据" in refused and 'class="refusal"' in refused
    done = await supervisor.post(f"/staff/cases/{row.id}/overturn",
                                 {"item": "", "basis": "litigation", "note": "（2026）浙0102行初12号判决"})
    assert "已办理" in done and "不予受理决定已被撤销：行政诉讼：（2026）浙0102行初12号判决" in done
    fact = await SupervisionFact.get(application_id=row.id, fact="overturned")
    assert (fact.department, fact.window) == ("market", "staff:window-1")
    again = await supervisor.post(f"/staff/cases/{row.id}/overturn", {"item": "", "basis": "review"}, expect=409)
    assert "该决定的撤销已经记录过了" in again
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    assert "记录撤销决定" not in await clerk.get(f"/staff/cases/{row.id}")
    await clerk.post(f"/staff/cases/{row.id}/overturn", {"item": "", "basis": "review"}, expect=404)
