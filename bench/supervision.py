"""Benchmark: supervision at a county's scale, on a database seeded by ``seed_cases.py``.

    ./dev bench supervision postgres://postgres@127.0.0.1:5432/county [--month 2026-11] [--department market]

Working conditions: 2 app processes (``onething serve --workers 2``) and a worker (``onething
worker``) on that database and Redis (BENCH_REDIS_URL). Each budget is printed with its figure,
its ratio to the budget, and beside the floor measured in the same run: a bare indexed query
(asyncpg, one application by primary key). The sweep is timed in this process, as the worker runs
it, over the cases whose next check has come on the day after ``--month`` ends (one sweep starts
no case after 8 s, so it sweeps again until none is due); it writes what it finds (warnings,
cards), so run it on a copy when the seeded database must stay as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from progress_read import wait  # noqa: E402

REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = 8791
PASSWORD = "bench-password-long-enough"


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def timed(session: aiohttp.ClientSession, url: str, headers: dict, times: int) -> list[float]:
    out = []
    for _ in range(times):
        started = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            await response.read()
            if response.status != 200:
                raise SystemExit(f"{url}: {response.status} {await response.text()}")
        out.append((time.perf_counter() - started) * 1000)
    return out


async def floor(pg: str, application_id: int, times: int = 500) -> list[float]:
    conn = await asyncpg.connect(pg)
    try:
        out = []
        for _ in range(times):
            started = time.perf_counter()
            await conn.fetchrow("SELECT id, state FROM application WHERE id = $1", application_id)
            out.append((time.perf_counter() - started) * 1000)
        return out
    finally:
        await conn.close()


async def prepare(url: str, department: str) -> dict:
    """Staff accounts and a citizen with a case in review, to ask as."""
    from onething.services.staff import create_staff
    from storage import db
    from storage.models import Application, Citizen, StaffUser

    async with db.database(url):
        for name, role, dept in (("bench-supervisor", "supervisor", None), ("bench-reviewer", "reviewer", department)):
            if not await StaffUser.exists(username=name):
                await create_staff(name, role, PASSWORD, department=dept)
        case = await Application.filter(state="in_review").order_by("-id").first()
        citizen = await Citizen.get(id=case.applicant_id)
        return {"case": case.id, "code": citizen.openid}


async def login(session, base: str, username: str) -> dict:
    async with session.post(f"{base}/staff/api/v1/auth/login", json={"username": username, "password": PASSWORD}) as r:
        return {"Authorization": f"Bearer {(await r.json())['token']}"}


async def measure(base: str, month: str, department: str, known: dict, rounds: int) -> list[tuple]:
    async with aiohttp.ClientSession() as session:
        supervisor = await login(session, base, "bench-supervisor")
        reviewer = await login(session, base, "bench-reviewer")
        async with session.post(f"{base}/api/v1/auth/login", json={"code": known["code"]}) as r:
            citizen = {"Authorization": f"Bearer {(await r.json())['token']}"}
        bulletin = f"{base}/staff/api/v1/supervision/bulletins/{month}"
        dashboard = f"{base}/staff/api/v1/supervision/figures?period=month&on={month}-01&department={department}"
        cold = (await timed(session, bulletin, supervisor, 1))[0]  # freezes the month's ranking
        results = [
            ("monthly bulletin, county (median)", statistics.median(await timed(session, bulletin, supervisor, 5)),
             1000),
            ("dashboard, 1 dept x month (median)", statistics.median(
                await timed(session, dashboard, supervisor, 20)), 300),
            ("department queue page p99", p99(await timed(session, f"{base}/staff/api/v1/tasks", reviewer, rounds)),
             50),
            ("citizen's progress p99", p99(await timed(
                session, f"{base}/api/v1/applications/{known['case']}", citizen, rounds)), 20),
        ]
        print(f"(the bulletin, first call: {cold:.0f} ms; it freezes the month's ranking if not yet done)")
        return results


async def sweep(url: str, month: str, on: str | None = None) -> tuple[float, float, int, int, int]:
    """The sweep on the day after the month (or ``on``), as the worker runs it: one sweep (it starts
    no case after 8 s), then sweeps until no case is due. Seconds of each, open tasks, due cases, changed."""
    from onething.domain import ranking
    from onething.services.calendars import CalendarBook
    from onething.services.reference import load_catalog, load_grade_rules, load_seed_schedules
    from onething.services.workflow import OPEN, Workflow
    from storage import db
    from storage.models import Application, ReviewTask

    day = date.fromisoformat(on) if on else ranking.period_bounds("month", month)[1] + timedelta(days=1)
    at = datetime(day.year, day.month, day.day, 2, tzinfo=timezone.utc)
    async with db.database(url):
        open_tasks = await ReviewTask.filter(state="in_review").count()
        due = Application.filter(state__in=OPEN, next_check_on__lte=day)
        due_cases = await due.count()
        flow = Workflow(load_catalog(), CalendarBook(load_seed_schedules()), clock=lambda: at,
                        grades=load_grade_rules())
        started = time.perf_counter()
        changed = await flow.sweep()
        one = time.perf_counter() - started
        for _ in range(100):
            if not await due.count():
                break
            changed += await flow.sweep()
        return one, time.perf_counter() - started, open_tasks, due_cases, changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("ONETHING_DATABASE_URL"))
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--department", default="market")
    parser.add_argument("--rounds", type=int, default=300, help="requests per p99")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--sweep-on", help="the day the sweep runs (default: the day after --month); the worker "
                        "sweeps on today's date, so sweep up to today to keep it idle while requests are timed")
    args = parser.parse_args()
    pg = args.url.replace("postgres://", "postgresql://", 1)
    env = {**os.environ, "ONETHING_DATABASE_URL": args.url, "ONETHING_REDIS_URL": REDIS,
           "ONETHING_SECRET_KEY": "bench-" + "k" * 40, "ONETHING_LOG_LEVEL": os.environ.get("ONETHING_LOG_LEVEL", "WARNING"),
           "ONETHING_DATA_DIR": tempfile.mkdtemp(),
           "ONETHING_RATE_LIMIT_PER_USER": "100000000", "ONETHING_RATE_LIMIT_PER_IP": "100000000"}
    onething = [sys.executable, "-m", "onething.cli"]
    subprocess.run(onething + ["migrate"], env=env, check=True, capture_output=True)
    # swept first: the worker (on today's date) would otherwise sweep beside the timed requests
    swept = None if args.no_sweep else asyncio.run(sweep(args.url, args.month, args.sweep_on))
    known = asyncio.run(prepare(args.url, args.department))
    processes = [subprocess.Popen(onething + ["serve", "--port", str(PORT), "--workers", "2"], env=env),
                 subprocess.Popen(onething + ["worker"], env=env)]
    try:
        wait(f"http://127.0.0.1:{PORT}/healthz")
        base = f"http://127.0.0.1:{PORT}"
        results = asyncio.run(measure(base, args.month, args.department, known, args.rounds))
        floor_ms = asyncio.run(floor(pg, known["case"]))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
    base_floor = p99(floor_ms)
    print(f"floor: a bare indexed query (PK select), p99 {base_floor:.2f} ms, median {statistics.median(floor_ms):.2f} ms")
    print(f"{'what':38}{'figure':>10}{'budget':>10}{'/budget':>9}{'/floor':>9}")
    for name, figure, budget in results:
        print(f"{name:38}{figure:>8.1f}ms{budget:>8}ms{figure / budget:>9.2f}{figure / base_floor:>9.0f}")
    if swept:
        one, whole, open_tasks, due_cases, changed = swept
        scaled = whole * 100_000 / max(open_tasks, 1)
        print(f"{'sweep, per 100,000 open tasks':38}{scaled:>9.2f}s{10:>9}s{scaled / 10:>9.2f}"
              f"{scaled * 1000 / base_floor:>9.0f}")
        print(f"  ({open_tasks:,} open tasks, {due_cases:,} cases due: the first sweep {one:.2f} s, "
              f"every due case swept in {whole:.2f} s, {changed:,} changed, {due_cases / whole:,.0f} due cases a second)")


if __name__ == "__main__":
    main()
