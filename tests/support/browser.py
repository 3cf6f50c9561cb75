"""What the browser journeys do on every page: sign in, move by keyboard, check every input's label."""

from __future__ import annotations

from onething.services.staff import create_staff
from tests.support.staff_api import PASSWORD

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id || el.outerHTML)"""


async def assert_labelled(page) -> None:
    """Every input a person can reach has a label (or an accessible name of its own)."""
    assert await page.evaluate(UNLABELLED) == [], page.url


async def sign_in(page, base: str, username: str, role: str, department: str | None = None) -> None:
    """Create the account, then sign in from the keyboard alone."""
    await create_staff(username, role, PASSWORD, department=department)
    await page.goto(f"{base}/staff/")
    await assert_labelled(page)
    await page.keyboard.type(username)  # the name field has the focus on arrival
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.get_by_role("button", name="退出登录").wait_for()


async def tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until ``selector`` has the focus, as someone without a mouse would."""
    target = await page.query_selector(selector)
    assert target is not None, selector
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


async def type_date(page, value: str) -> None:
    """Type an ISO date into the focused date field, in the order the browser's locale shows it."""
    year, month, day = value.split("-")
    for order in (month + day + year, year + month + day, day + month + year):
        await page.keyboard.type(order)
        if await page.evaluate("() => document.activeElement.value") == value:
            return
        for _ in range(3):  # back to the first segment, emptied
            await page.keyboard.press("Backspace")
            await page.keyboard.press("Shift+Tab")
        await page.keyboard.press("Tab")
    raise AssertionError(f"could not type {value} into the date field")
