"""The year rollover: cases run on over a provisional 2027, then its official schedule is imported.

The clock starts at Monday 2026-12-28, when deadlines begin to fall in a year whose holiday
schedule the State Council may not have published yet.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from onething.keys import calendar_key
from storage.models import AuditEvent, CalendarYear, Notification
from tests.support.apps import start_app
from tests.support.forms import complete_form
from tests.support.miniapp import PDF, MiniProgram
from tests.support.staff_api import StaffApi

ROLLOVER = datetime(2026, 12, 28, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai
FIXTURE_2027 = Path(__file__).parent.parent / "support" / "notices" / "2027-fixture.txt"


@pytest.fixture
async def service(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              now=ROLLOVER)
    await CalendarYear.all().delete()  # a shared PostgreSQL: no other test's import, and none left behind
    await caught_up(running)
    yield running, await aiohttp_client(running.server)
    await CalendarYear.all().delete()


async def submitted_case(me: MiniProgram) -> dict:
    thing = await me.get("/things/business-opening")
    case = await me.post("/applications", {"thing": "business-opening", "form": complete_form(thing["form"])},
                         expect=201)
    for material in thing["notice"]["materials"]:
        await me.upload_direct(case["id"], material["code"], PDF, "application/pdf")
    return await me.post(f"/applications/{case['id']}/submit")


def staff_name(role: str) -> str:
    return f"{role}-{uuid.uuid4().hex[:6]}"


def import_calendar(running, *extra: str) -> subprocess.CompletedProcess:
    """``onething calendar import`` as an operator runs it, beside the running service."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")}, **running.environ}
    return subprocess.run([sys.executable, "-m", "onething.cli", "calendar", "import", "2027", str(FIXTURE_2027),
                           *extra], env=env, capture_output=True, text=True, timeout=120)


async def caught_up(running) -> None:
    """What the running service's refresher does within seconds, done now (no test waits on a timer)."""
    book = running.app[calendar_key]
    book.expire()
    await book.fresh()


async def test_a_case_runs_to_approval_over_a_provisional_year(service):
    running, client = service
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    submitted = await submitted_case(me)
    # 12-29, 30, 31, then 2027: 01-01 is 元旦 by the national rule, the weekend, 01-04, 01-05
    assert submitted["intake_due_on"] == "2027-01-05" and submitted["intake_due_provisional"] is True
    why = [e["text"] for e in submitted["timeline"] if "为预计" in e["text"]]
    assert why and "2027年国务院放假安排尚未公布" in why[0]

    clerk = await StaffApi.login(client, staff_name("clerk"), "clerk")
    running.clock.now += timedelta(days=3)  # Thursday 12-31
    accepted = await clerk.post(f"/applications/{submitted['id']}/accept")
    licence = next(t for t in accepted["tasks"] if t["state"] == "in_review")
    assert (licence["due_on"], licence["due_provisional"]) == ("2027-01-04", True)
    market = await StaffApi.login(client, staff_name("market"), "reviewer", department=licence["department"])
    running.clock.now += timedelta(days=4)  # Monday 2027-01-04
    await market.post(f"/tasks/{licence['id']}/approve", {"result_number": "91330100MA2KXXXX0A"})
    detail = await clerk.get(f"/applications/{submitted['id']}")
    for task in [t for t in detail["tasks"] if t["state"] == "in_review"]:
        reviewer = await StaffApi.login(client, staff_name("r"), "reviewer", department=task["department"])
        assert task["due_provisional"] is True and task["due_on"] > "2027-01-04"
        await reviewer.post(f"/tasks/{task['id']}/approve", {"result_number": f"R{task['id']}"})
    assert (await me.get(f"/applications/{submitted['id']}"))["state"] == "approved"


async def test_importing_the_official_schedule_moves_due_dates_and_tells_the_applicant(service):
    running, client = service
    running.clock.now = datetime(2027, 2, 4, 2, 0, tzinfo=timezone.utc)  # Thursday before 春节 2027
    me = await MiniProgram.login(client, f"sandbox-{uuid.uuid4().hex[:8]}")
    clerk = await StaffApi.login(client, staff_name("clerk"), "clerk")
    waiting = await submitted_case(me)
    in_review = await submitted_case(me)
    accepted = await clerk.post(f"/applications/{in_review['id']}/accept")
    licence = next(t for t in accepted["tasks"] if t["state"] == "in_review")
    assert (licence["due_on"], licence["due_provisional"]) == ("2027-02-09", True)  # 02-05..08 off by the rule
    assert waiting["intake_due_on"] == "2027-02-15"

    dry_run = import_calendar(running)
    assert dry_run.returncode == 0, dry_run.stderr
    assert "春节：2027-02-05 .. 2027-02-11，7天；2027-02-20（周六）上班" in dry_run.stdout
    assert "no longer working days: 2027-02-09（周二）" in dry_run.stdout and "nothing stored" in dry_run.stdout
    assert (await clerk.get(f"/applications/{in_review['id']}"))["tasks"][0]["due_on"] == "2027-02-09"

    applied = import_calendar(running, "--apply")
    assert applied.returncode == 0, applied.stderr
    # the session's database is shared: other tests' open cases in 2027 may move too; ours are checked below
    moved_count = re.search(r"(\d+) open case\(s\) had due dates moved", applied.stdout)
    assert moved_count and int(moved_count.group(1)) >= 2, applied.stdout
    await caught_up(running)

    moved = await me.get(f"/applications/{in_review['id']}")
    licence = next(t for t in moved["tasks"] if t["id"] == licence["id"])
    assert (licence["due_on"], licence["due_provisional"]) == ("2027-02-12", False)  # the break runs to 02-11
    # the critical path: the licence on 02-12, then stage two's one working day
    assert moved["expected_completion_on"] == "2027-02-15" and moved["expected_completion_provisional"] is False
    assert any("办理期限由2027-02-09调整为2027-02-12（国务院2027年放假安排已导入）" in e["text"]
               for e in moved["timeline"])
    assert (await me.get(f"/applications/{waiting['id']}"))["intake_due_on"] == "2027-02-18"

    notices = {n.application_id: n.payload for n in await Notification.filter(kind="deadline_moved")
               if n.application_id in (waiting["id"], in_review["id"])}
    assert notices[in_review["id"]] | {"number": None} == {
        "number": None, "before": "2027-02-10", "after": "2027-02-15", "why": "国务院2027年放假安排已导入",
        "provisional": False, "intake": False}
    assert (notices[waiting["id"]]["before"], notices[waiting["id"]]["after"]) == ("2027-02-15", "2027-02-18")

    # a second import of the same schedule moves nothing and tells nobody again
    again = import_calendar(running, "--apply")
    assert "0 open case(s) had due dates moved" in again.stdout
    assert await AuditEvent.filter(application_id=in_review["id"], action="deadline_moved").count() == 2  # promised, legal


async def test_a_notice_that_does_not_read_is_refused_naming_the_line(service, tmp_path):
    running, _ = service
    broken = tmp_path / "notice.txt"
    broken.write_text(FIXTURE_2027.read_text(encoding="utf-8").replace("六、中秋节", "六、重阳节"), encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")}, **running.environ}
    result = subprocess.run([sys.executable, "-m", "onething.cli", "calendar", "import", "2027", str(broken),
                             "--apply"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "line 8: unknown holiday name '重阳节'" in result.stderr
    assert "Traceback" not in result.stderr
