"""Benchmark: the console's intake queue and a department's queue, 10,000 cases each, on PostgreSQL.

Seeds 10,000 submitted cases and 10,000 cases under review with a task each in one department
(set-based INSERTs, seconds), signs a clerk and a reviewer in through the sign-in page, then times
each queue's first page, one request at a time, beside a floor measured in the same run: a bare
indexed SELECT (one case by its primary key) through the service's own connection. Budget
(issue 14): p99 ≤ 100 ms for each page.

    ./dev bench console_queues [--requests 300]
Needs PostgreSQL and Redis on localhost (BENCH_DATABASE_URL, BENCH_REDIS_URL to override).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date
import uuid
from pathlib import Path

import asyncpg
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from onething.app import create_app  # noqa: E402
from onething.settings import load_settings  # noqa: E402
from storage import db  # noqa: E402

PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CASES = 10_000
BUDGET_MS = 100.0
PASSWORD = "bench-password-0123"

SUBMITTED = """
INSERT INTO application (number, thing, applicant_id, state, version, form, problems, owed, intake_due_on,
                         submitted_at, created_at, updated_at)
SELECT 'BQ' || g, 'business-opening', $1, 'submitted', 0, '{"company_name": "某县青禾餐饮管理有限公司"}', '[]', '[]',
       date '2026-03-02' + (g % 30), now(), now(), now()
FROM generate_series(1, $2) AS g
"""
IN_REVIEW = """
WITH cases AS (
  INSERT INTO application (number, thing, applicant_id, state, version, form, problems, owed, expected_on,
                           submitted_at, created_at, updated_at)
  SELECT 'BR' || g, 'business-opening', $1, 'in_review', 0, '{}', '[]', '[]', date '2026-04-01', now(), now(), now()
  FROM generate_series(1, $2) AS g RETURNING id)
INSERT INTO review_task (application_id, item, department, stage, state, limit_days, started_on, due_on, paused_days,
                         warned, overdue, result_number, legal_days, legal_due_on, legal_overdue, extension_reason,
                         extension_note, extension_days, note, problems)
SELECT id, 'business-licence', 'market', 'licence', 'in_review', 3, date '2026-03-02', date '2026-03-02' + (id % 40),
       0, id % 7 = 0, id % 11 = 0, '', 20, date '2026-03-30', id % 13 = 0, '', '', 0, '', '[]'
FROM cases
"""


async def sign_in(base: str, username: str) -> ClientSession:
    session = ClientSession(base_url=base, cookie_jar=CookieJar(unsafe=True))
    page = await (await session.get("/staff/sign-in")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    response = await session.post("/staff/sign-in", data={"username": username, "password": PASSWORD, "csrf": token})
    assert response.status == 200, await response.text()
    return session


async def timed(call, requests: int) -> list[float]:
    for _ in range(10):  # warm-up: plans cached, pools full
        await call()
    spent = []
    for _ in range(requests):
        start = time.perf_counter()
        await call()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


async def main(requests: int) -> int:
    name = f"onething_bench_{uuid.uuid4().hex[:8]}"
    admin = PG.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"{PG.rsplit('/', 1)[0]}/{name}"
    try:
        return await run(url, requests)
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def run(url: str, requests: int) -> int:
    from onething.keys import catalog_key, workflow_key
    from onething.services import console_queues
    from onething.services.staff import StaffSession, create_staff
    from storage.models import Citizen
    from tortoise import connections

    await db.migrate(url)
    with tempfile.TemporaryDirectory() as data:
        settings = load_settings({"ONETHING_DATABASE_URL": url, "ONETHING_REDIS_URL": REDIS,
                                  "ONETHING_DATA_DIR": data, "ONETHING_SECRET_KEY": "b" * 48})
        server = TestServer(create_app(settings, run_jobs=False))
        await server.start_server()
        try:
            pg = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
            started = time.perf_counter()
            citizen = (await Citizen.create(openid=f"bench-{uuid.uuid4().hex}")).id
            await pg.execute(SUBMITTED, citizen, CASES)
            await pg.execute(IN_REVIEW, citizen, CASES)
            await pg.execute("ANALYZE")
            await pg.close()
            print(f"seeded {CASES} submitted cases and {CASES} tasks in one department in "
                  f"{time.perf_counter() - started:.1f}s")
            suffix = uuid.uuid4().hex[:6]
            await create_staff(f"clerk-{suffix}", "clerk", PASSWORD)
            await create_staff(f"market-{suffix}", "reviewer", PASSWORD, department="market")
            base = str(server.make_url("")).rstrip("/")
            clerk, reviewer = await sign_in(base, f"clerk-{suffix}"), await sign_in(base, f"market-{suffix}")
            connection = connections.get("default")
            floor = await timed(lambda: connection.execute_query("SELECT id, state FROM application WHERE id = $1",
                                                                 [CASES // 2]), requests)

            async def page(session: ClientSession, path: str):
                async with session.get(path) as response:
                    assert response.status == 200, response.status
                    await response.read()

            app = server.app
            flow, catalog = app[workflow_key], app[catalog_key]
            market = StaffSession(0, "bench", "reviewer", "market", None)
            results = {
                "intake queue (/staff/intake)": await timed(lambda: page(clerk, "/staff/intake"), requests),
                "  the intake queue's service alone": await timed(lambda: console_queues.intake_page(
                    catalog, flow.calendar, date(2026, 3, 2)), requests),
                "department queue (/staff/tasks)": await timed(lambda: page(reviewer, "/staff/tasks"), requests),
                "  the department queue's service alone": await timed(
                    lambda: console_queues.department_page(catalog, market), requests),
            }
            await clerk.close()
            await reviewer.close()
        finally:
            await server.close()
    floor_p99 = p99(floor)
    print(f"floor (indexed SELECT by id, same connection): p99 {floor_p99:.2f} ms")
    failed = 0
    for what, spent in results.items():
        line = f"{what}: median {statistics.median(spent):.1f} ms, p99 {p99(spent):.1f} ms ({p99(spent) / floor_p99:.0f}x the floor)"
        if what.startswith(" "):  # where a page's time goes: its queries, or the rest (session, rendering)
            print(line)
            continue
        ok = p99(spent) <= BUDGET_MS
        failed += not ok
        print(f"{line} — {'within' if ok else 'OVER'} the {BUDGET_MS:.0f} ms budget")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    sys.exit(asyncio.run(main(parser.parse_args().requests)))
