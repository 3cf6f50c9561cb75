"""A day at the window and in a department, in a real browser: the journeys of issue 14."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import Application, ReviewTask
from tests.support.cases import MONDAY
from tests.support.browser import assert_labelled, sign_in, tab_to, type_date
from tests.support.console import ONE_BACKEND, submitted
from tests.support import documents
from tests.support.people import Person

pytestmark = ONE_BACKEND
DOCS = Path(__file__).resolve().parents[2] / "docs"


def who(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:6]}"


async def test_a_clerk_accepts_a_case_with_one_deferred_material_from_the_keyboard(console, open_page, aiohttp_client):
    for days_ago in (6, 4):  # older cases above it in the queue, nearer their §32 deadline
        console.clock.now = MONDAY - timedelta(days=days_ago)
        await submitted(console)
    console.clock.now = MONDAY
    applicant = await Person.login(await aiohttp_client(console.server))
    case_id = await submitted(console, applicant=applicant.citizen, attach=lambda draft_id: applicant.mini.upload_direct(
        draft_id, "company-articles", documents.jpeg(480, 320), "image/jpeg"))
    number = (await Application.get(id=case_id)).number
    page = await open_page()
    await sign_in(page, console.url, "li.na", "clerk")  # a fixed name: the screenshots stay the same
    assert "综合窗口" in await page.inner_text("header")
    await page.get_by_role("link", name=number).wait_for()
    await assert_labelled(page)
    await page.screenshot(path=str(DOCS / "console-intake-queue.png"))

    await tab_to(page, f'a[href="/staff/cases/{case_id}"]')
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="受理", exact=True).wait_for()
    await assert_labelled(page)
    preview = page.locator("img.preview").first  # through the store's short-lived link, allowed by the CSP
    await preview.wait_for()
    assert await preview.evaluate("img => img.complete && img.naturalWidth") == 480
    await page.screenshot(path=str(DOCS / "console-case-page.png"), full_page=True)

    owed = page.locator('#accept input[name="owed"]').first
    code = await owed.get_attribute("value")
    await tab_to(page, f"#owed-{code}")
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")  # its due date, next in the form
    await type_date(page, "2026-03-20")
    await tab_to(page, '#accept button[type="submit"]')
    await page.keyboard.press("Enter")
    await page.get_by_text("已办理。").wait_for()
    assert page.url.endswith(f"/staff/cases/{case_id}?done=accept")  # a reload shows the case, posting nothing
    row = await Application.get(id=case_id)
    assert row.state == "in_review" and row.owed[0]["material"] == code and row.owed[0]["due_on"] == "2026-03-20"


async def test_another_clerk_returns_a_case_with_three_problems_the_citizen_then_reads(console, open_page,
                                                                                       aiohttp_client):
    citizen = await Person.login(await aiohttp_client(console.server))
    case_id = await citizen.submitted_case(console)
    page = await open_page()
    await sign_in(page, console.url, who("clerk"), "clerk")
    await page.goto(f"{console.url}/staff/cases/{case_id}")
    material = page.locator('#return input[name="material"]').first
    code = await material.get_attribute("value")
    await material.check()
    await page.fill(f"#why-material-{code}", "复印件不清晰")
    await page.locator("#bad-field-company_name").check()
    await page.fill("#return-note", "请补充经营场所照片")
    preview = page.locator("#problems-preview")  # htmx shows the list as it is composed
    await preview.get_by_text("3. 请补充经营场所照片").wait_for()
    assert "1. 材料“" in await preview.inner_text()
    await page.get_by_role("button", name="退回补正", exact=True).click()
    await page.get_by_text("已办理。").wait_for()

    seen = await citizen.mini.get(f"/applications/{case_id}")
    assert seen["state"] == "returned" and len(seen["problems"]) == 3
    assert seen["problems"][0].endswith("复印件不清晰") and seen["problems"][2] == "请补充经营场所照片"


async def test_a_reviewer_approves_and_stage_two_reaches_the_other_departments(console, open_page):
    flow = console.app[workflow_key]
    case_id = await submitted(console)
    await flow.accept(case_id, Actor("staff:clerk", "clerk"))
    number = (await Application.get(id=case_id)).number
    licence = await ReviewTask.get(application_id=case_id, department="market")

    market = await open_page()
    await sign_in(market, console.url, who("market"), "reviewer", "market")
    await market.get_by_role("link", name=number).click()
    await market.get_by_role("heading", name="通过", exact=True).wait_for()
    await assert_labelled(market)
    assert "110101199003074573" not in await market.content()  # masked until revealed, on purpose
    await market.fill("#result-number", "91330100MA2KXXXX0A")
    await market.get_by_role("button", name="审批通过").click()
    await market.get_by_text("已办理。").wait_for()
    assert (await ReviewTask.get(id=licence.id)).state == "approved"

    tax = await open_page({"width": 1024, "height": 768})  # a tablet
    await sign_in(tax, console.url, who("tax"), "reviewer", "tax")
    await tax.get_by_role("link", name=number).wait_for()
    assert "税务" in await tax.inner_text("header")
