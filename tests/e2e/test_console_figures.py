"""The supervision pages of the console: the figures and the cases behind them, the efficiency
ranking and the monthly bulletin, for supervisors and admins; the 404 page for every other post;
what cannot be counted is said in Chinese beside the form."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import unescape
from urllib.parse import unquote

from onething.keys import workflow_key
from onething.services.case_store import Actor
from storage.models import Application, PublishedRanking, ReviewTask
from tests.support.console import ONE_BACKEND, Desk, submitted
from tests.support.console_rest import page_queries

pytestmark = ONE_BACKEND
MARCH = "/staff/figures?period=month&on=2026-03-02"
PAGES = ("/staff/figures", "/staff/figures/cases?fact=received", "/staff/figures.csv", "/staff/ranking",
         "/staff/bulletin", "/staff/bulletins/2026-02/print")


def links(html: str, containing: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', html) if containing in unescape(href)]


async def decided(running, window: str) -> int:
    """A case accepted at ``window`` with every item approved at once; its id."""
    flow = running.app[workflow_key]
    case_id = await submitted(running)
    await flow.accept(case_id, Actor(window, "clerk"))
    while tasks := await ReviewTask.filter(application_id=case_id, state="in_review"):
        for task in tasks:
            await flow.approve(task, Actor("staff:reviewer", "reviewer"), result_number=f"R{task.id}")
    return case_id


async def one_window_day(running) -> tuple[str, dict[str, int]]:
    """Three cases at a window of its own (the run's database holds other tests' March): one accepted
    and decided, one returned for correction, one refused."""
    window, flow = f"staff:clerk-{uuid.uuid4().hex[:8]}", running.app[workflow_key]
    cases = {"accepted": await decided(running, window), "returned": await submitted(running),
             "refused": await submitted(running)}
    await flow.return_for_correction(cases["returned"], Actor(window, "clerk"), ["公司章程未签字"])
    await flow.refuse(cases["refused"], Actor(window, "clerk"), "不属于本中心受理范围")
    return window, cases


async def number(case_id: int) -> str:
    return (await Application.get(id=case_id)).number


async def test_a_supervisor_reads_the_figures_and_drills_down_to_the_cases_behind_one(wired):
    running, client = wired
    window, cases = await one_window_day(running)
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    home = await supervisor.get("/staff/")
    assert all(f'href="/staff/{p}"' in home for p in ("figures", "ranking", "bulletin"))
    html = await supervisor.get(f"{MARCH}&window={window}")
    assert "2026-03-01 至 2026-03-31" in html and "按时办结率" in html and "跑零次" in html and "满意率" in html
    returned = links(html, "fact=returned")
    assert returned and all(f"window={window}" in unquote(link) and link.startswith("/staff/figures/cases?") for link in returned)
    behind = await supervisor.get(returned[0])
    assert await number(cases["returned"]) in behind and await number(cases["accepted"]) not in behind
    assert f'href="/staff/cases/{cases["returned"]}"' in behind and "共 1 件，第 1 / 1 页" in behind
    assert await number(cases["returned"]) in await supervisor.get(f"/staff/cases/{cases['returned']}")
    on_time = await supervisor.get(links(html, "fact=on_time")[0])
    assert await number(cases["accepted"]) in on_time and await number(cases["refused"]) not in on_time
    by_window = await supervisor.get(f"{MARCH}&by=window")
    nobody = next(row for row in by_window.split("<tr>") if "<td>（未经窗口）</td>" in row)  # submissions
    assert "href=" not in nobody  # an empty window in an address would be no filter: all cases, not these
    csv = links(html, "/staff/figures.csv")[0]
    response = await supervisor.request("GET", csv)
    body = await response.read()
    assert response.status == 200 and response.content_type == "text/csv"
    assert body.startswith("\ufeff部门,期间".encode()) and "合计,2026-03" in body.decode("utf-8-sig")


async def test_the_cases_behind_a_figure_come_a_page_at_a_time(wired):
    running, client = wired
    window = f"staff:clerk-{uuid.uuid4().hex[:8]}"
    flow = running.app[workflow_key]
    for _ in range(3):
        await flow.refuse(await submitted(running), Actor(window, "clerk"), "不属于本中心受理范围")
    admin = await Desk.sign_in(client, "admin", "admin")
    from staff_console import figures
    figures.CASES_PAGE, before = 2, figures.CASES_PAGE
    try:
        first = await admin.get(f"/staff/figures/cases?fact=refused&period=day&on=2026-03-02&window={window}")
        assert "共 3 件，第 1 / 2 页" in first and first.count('href="/staff/cases/') == 2
        second = await admin.get(links(first, "page=2")[0])
        assert "第 2 / 2 页" in second and second.count('href="/staff/cases/') == 1 and "上一页" in second
    finally:
        figures.CASES_PAGE = before


async def test_the_ranking_shows_each_rank_its_change_and_the_published_periods(wired):
    running, client = wired
    clock = running.app[workflow_key].clock
    window = f"staff:clerk-{uuid.uuid4().hex[:8]}"
    await decided(running, window)  # week 10
    clock.now += timedelta(days=7)
    await decided(running, window)  # week 11
    clock.now += timedelta(days=7)  # Monday of week 12: week 11 is over
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    html = await supervisor.get("/staff/ranking?kind=week&scope=window&period=2026-W11")
    assert "已发布，排名固定不变" in html and "2026-03-09 至 2026-03-15" in html
    stored = await PublishedRanking.get(kind="week", period="2026-W11", scope="window")
    mine = next(p for p in stored.places if p["code"] == window)
    row = next(r for r in html.split("<tr>") if f"<td>{window}</td>" in r)
    shown = "持平" if mine["change"] == 0 else (f"↑{mine['change']}" if mine["change"] > 0 else f"↓{-mine['change']}")
    assert f"<td>{mine['rank']}</td>" in row and shown in row
    assert 'period=2026-W11">2026-W11</a>' in html  # listed among the published
    running_week = await supervisor.get("/staff/ranking?kind=week&scope=window")
    assert "本期尚未结束" in running_week and "2026-W12" in running_week
    month = await supervisor.get("/staff/ranking?kind=month&period=2026-02")
    assert "已发布" in month and "县市场监督管理局" in month


async def test_the_bulletin_page_frames_the_printable_bulletin_and_links_its_pdf(wired):
    _, client = wired
    admin = await Desk.sign_in(client, "admin", "admin")
    html = await admin.get("/staff/bulletin")  # last month by default: the service's clock is in March
    assert 'src="/staff/bulletins/2026-02/print"' in html and 'href="/staff/bulletins/2026-02/pdf"' in html
    printable = await admin.get("/staff/bulletins/2026-02/print")
    assert "评估情况通报" in printable and "近12个月按时办结率" in printable and "退出登录" not in printable
    response = await admin.request("GET", "/staff/bulletins/2026-02/pdf")
    assert response.status == 200 and (await response.read()).startswith(b"%PDF")


async def test_only_supervisors_and_admins_open_the_supervision_pages(wired):
    _, client = wired
    desks = {role: await Desk.sign_in(client, role, role, "market" if role == "reviewer" else None)
             for role in ("clerk", "reviewer", "manager", "supervisor", "admin")}
    for path in PAGES:
        for role in ("clerk", "reviewer", "manager"):
            assert "未找到" in await desks[role].get(path, expect=404), (path, role)
        for role in ("supervisor", "admin"):
            await desks[role].get(path)
    assert "监察数据" not in await desks["clerk"].get("/staff/")


async def test_what_cannot_be_counted_is_said_in_chinese_beside_the_form(wired):
    _, client = wired
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    reversed_range = await supervisor.get("/staff/figures?period=range&start=2026-03-05&end=2026-03-01", expect=422)
    assert "截止日期不能早于起始日期" in reversed_range and 'value="2026-03-05"' in reversed_range
    assert "没有编码为“nowhere”的部门" in await supervisor.get("/staff/figures?department=nowhere", expect=422)
    assert "统计期间只能选择" in await supervisor.get("/staff/figures?period=year", expect=422)
    assert "统计期间不正确" in await supervisor.get("/staff/figures?on=2026-02-30", expect=422)
    assert "没有这个统计项" in await supervisor.get("/staff/figures/cases?fact=everything", expect=422)
    assert "写法不对" in await supervisor.get("/staff/bulletin?month=2026-13", expect=404)
    assert "尚未开始" in await supervisor.get("/staff/bulletin?month=2027-01", expect=404)
    assert "写法不对" in await supervisor.get("/staff/ranking?kind=month&period=2026-13", expect=404)
    assert "只有周排名" in await supervisor.get("/staff/ranking?kind=year", expect=404)
    assert "按部门或按窗口" in await supervisor.get("/staff/ranking?scope=street", expect=422)
    assert "写法不对" in await supervisor.get("/staff/bulletins/2026-13/print", expect=404)


async def test_the_supervision_lists_take_the_same_queries_for_one_case_or_three(wired):
    running, client = wired
    window = f"staff:clerk-{uuid.uuid4().hex[:8]}"
    supervisor = await Desk.sign_in(client, "sup", "supervisor")
    paths = (f"{MARCH}&window={window}&by=window", f"/staff/figures/cases?fact=decided&window={window}",
             "/staff/ranking?kind=week&scope=window", "/staff/ranking?kind=week&period=2026-W09",
             "/staff/bulletins/2026-03/print")

    async def counts() -> list[int]:
        return [await page_queries(supervisor, path) for path in paths]

    await decided(running, window)
    await counts()  # the first look freezes last week's ranking: not what a look costs
    before = await counts()
    for _ in range(2):
        await decided(running, window)
    assert await counts() == before
