"""The admin's console pages: accounts, the read-only catalog and calendar, the calendar import."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from onething.keys import calendar_key
from onething.services.staff import authenticate
from storage.models import CalendarYear, StaffUser
from tests.support.console import ONE_BACKEND, Desk
from tests.support.console_rest import page_queries

pytestmark = ONE_BACKEND
NOTICE_2027 = (Path(__file__).parent.parent / "support" / "notices" / "2027-fixture.txt").read_text(encoding="utf-8")
NEW_PASSWORD = "another-long-secret"


@pytest.fixture
async def admin(wired):
    _, client = wired
    return await Desk.sign_in(client, "admin", "admin")


async def test_an_admin_opens_an_account_with_its_department_from_the_list(admin):
    username = f"market-{uuid.uuid4().hex[:8]}"
    page = await admin.get("/staff/accounts")
    assert '<option value="market">县市场监督管理局</option>' in page and 'for="department"' in page
    refused = await admin.post("/staff/accounts", {"username": username, "role": "reviewer", "department": "",
                                                   "password": "secret-secret"}, expect=422)
    assert "所属部门" in refused and f'value="{username}"' in refused and "secret-secret" not in refused
    html = await admin.post("/staff/accounts", {"username": username, "role": "reviewer", "department": "market",
                                                "password": "secret-secret"})
    assert "账号已开通" in html and username in html
    assert (await StaffUser.get(username=username)).department == "market"
    taken = await admin.post("/staff/accounts", {"username": username, "role": "clerk", "password": "secret-secret"},
                             expect=409)
    assert "已被使用" in taken


async def test_a_reset_password_signs_in_and_a_disabled_account_no_longer_does(wired, admin):
    _, client = wired
    clerk = await Desk.sign_in(client, "clerk", "clerk")
    account = await StaffUser.get(username=clerk.username)
    short = await admin.post(f"/staff/accounts/{account.id}/password", {"password": "short"}, expect=422)
    assert "至少需要 10 位" in short
    await admin.post(f"/staff/accounts/{account.id}/password", {"password": NEW_PASSWORD})
    assert await authenticate(clerk.username, NEW_PASSWORD) is not None
    await admin.post(f"/staff/accounts/{account.id}/disable")
    assert await authenticate(clerk.username, NEW_PASSWORD) is None
    response = await clerk.request("GET", "/staff/", allow_redirects=False)
    assert response.status == 303 and "/staff/sign-in" in response.headers["Location"]  # its session ended too
    me = await StaffUser.get(username=admin.username)
    assert "不能停用自己" in await admin.post(f"/staff/accounts/{me.id}/disable", expect=409)
    await admin.post("/staff/accounts/999999/disable", expect=404)
    reviewer = await Desk.sign_in(client, "reviewer", "reviewer", "market")
    await reviewer.get("/staff/accounts", expect=404)


async def test_the_catalog_and_the_calendar_are_shown_read_only(admin):
    catalog = await admin.get("/staff/catalog")
    assert "企业开办" in catalog and "个工作日" in catalog and "<form" not in catalog.split("<main", 1)[1]
    calendar = await admin.get("/staff/calendar?year=2026")
    assert "2026 年工作日历" in calendar and "2026-10-01（周四）" in calendar


async def test_a_notice_is_previewed_then_applied_and_an_unreadable_one_is_refused(wired, admin):
    running, _ = wired
    await CalendarYear.all().delete()  # a shared PostgreSQL: no other test's import, and none left behind
    try:
        preview = await admin.post("/staff/calendar", {"year": "2027", "notice": NOTICE_2027, "apply": "0"})
        assert "预览" in preview and "2027-02-20（周六）" in preview and 'name="apply" value="1"' in preview
        assert not await CalendarYear.filter(year=2027).exists()
        applied = await admin.post("/staff/calendar", {"year": "2027", "notice": NOTICE_2027, "apply": "1"})
        assert "已导入 2027 年放假安排" in applied
        assert (await CalendarYear.get(year=2027)).imported_by == f"staff:{admin.username}"
        assert not (await running.app[calendar_key].fresh()).schedule(2027).provisional
        bad = NOTICE_2027.replace("1月1日（周五）", "1月1日（周一）")
        refused = await admin.post("/staff/calendar", {"year": "2027", "notice": bad, "apply": "0"}, expect=422)
        assert "第 3 行" in refused and "1月1日（周一）" in refused
    finally:
        await CalendarYear.all().delete()
        running.app[calendar_key].expire()


async def test_the_account_list_takes_the_same_queries_for_few_accounts_or_more(wired, admin):
    async def count() -> int:
        return await page_queries(admin, "/staff/accounts")

    await count()
    before = await count()
    for _ in range(3):
        await admin.post("/staff/accounts", {"username": f"clerk-{uuid.uuid4().hex[:8]}", "role": "clerk",
                                             "password": "secret-secret"})
    assert await count() == before
