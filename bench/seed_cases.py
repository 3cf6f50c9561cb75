"""Seed a county's two years of cases into PostgreSQL, by COPY, for the supervision bench.

    ./dev bench seed_cases postgres://postgres@127.0.0.1:5432/county [--cases 1000000] [--force]

The URL may come from ONETHING_DATABASE_URL instead. The database is migrated first; one that
already holds cases is refused unless ``--force`` (which adds to what is there). Every case is
played through the domain's rules (``seed_story.py``) from a submission between ``--since`` and
``--until`` (working hours, working days), so cases, review tasks, the hash-chained audit trail,
ratings and case numbers are the rows the app writes; outbox notifications are left out (they
would all have been sent), and the supervision counters and facts are written as the saves
would have counted them. Two processes play cases while this one loads them. Citizens are
``sandbox-seed-<id>``: in sandbox mode the bench logs in as one with that code.

For the sweep's bench, add stalled open work on top (accepted, nobody deciding):

    ./dev bench seed_cases URL --force --stalled --cases 20000 --since 2026-11-16
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from onething.domain.audit import GENESIS, Head, chain, stamp  # noqa: E402
from onething.domain.calendar import local_date  # noqa: E402
from onething.domain.states import State  # noqa: E402
from onething.services.calendars import build  # noqa: E402
from onething.services.reference import load_catalog, load_seed_schedules  # noqa: E402
from seed_story import THING_WEIGHTS, at_work, live  # noqa: E402

CHUNK = 5000
FORMS = {"business-opening": {"company_name": "某县青禾餐饮管理有限公司"}, "newborn": {"baby_name": "李小禾"}}
_world: dict = {}


def _init() -> None:
    _world["catalog"], _world["calendar"] = load_catalog(), build(load_seed_schedules())


def play(chunk: tuple[int, int, int, str, str, int, bool]) -> dict:
    """Rows for cases ``first``..``first+count-1`` (ids), their citizens numbered from ``first``."""
    first, count, seed, since, until, citizens, stalled = chunk
    rng = random.Random(seed)
    catalog, cal = _world["catalog"], _world["calendar"]
    start, stop = date.fromisoformat(since), datetime.fromisoformat(until)
    span = (local_date(stop) - start).days
    things, weights = list(THING_WEIGHTS), list(THING_WEIGHTS.values())
    apps, tasks, events, ratings, facts = [], [], [], [], []
    for case_id in range(first, first + count):
        day = start + timedelta(days=rng.randrange(span))
        while not cal.is_working_day(day):
            day += timedelta(days=1)
        submitted = min(at_work(day, rng), stop - timedelta(minutes=1))
        thing = rng.choices(things, weights)[0]
        applicant = rng.randrange(1, citizens + 1)
        lived = live(catalog.things[thing], cal, submitted, stop, f"citizen:{applicant}", rng, stalled=stalled)
        case = lived.case
        content = [(actor, role, e.action, e.from_state.value, e.to_state.value, e.item, e.note, stamp(at))
                   for e, at, actor, role in lived.events]
        links = chain(content, Head())
        for (e, at, actor, role), link in zip(lived.events, links):
            events.append((case_id, link.seq, actor, role, e.action, e.from_state.value, e.to_state.value, e.item,
                           e.note, at, link.prev_hash, link.hash))
        created = submitted - timedelta(minutes=rng.randrange(3, 60))
        last = lived.events[-1][1]
        delivery = {"how": "post"} if case.state in (State.DELIVERED, State.CLOSED) and any(
            e.action == "deliver" for e, *_ in lived.events) else None
        apps.append((case_id, day, thing, applicant, case.state.value, lived.version, len(links),
                     links[-1].hash if links else GENESIS, json.dumps(FORMS.get(thing, {}), ensure_ascii=False),
                     json.dumps(case.problems, ensure_ascii=False), json.dumps(_owed(case.owed)),
                     None if delivery is None else json.dumps(delivery), case.intake_due_on, case.suspended_since,
                     submitted, created, last, lived.grade, lived.window, lived.next_check_on))
        facts += [(case_id, day, f.department, f.window, f.thing, f.item, f.fact, f.bucket) for day, f in lived.facts]
        for t in case.tasks:
            tasks.append((case_id, t.item, t.department, t.stage, t.state.value, t.limit_days, t.started_on,
                          t.due_on, t.paused_days, t.pause_kind, t.paused_since, t.warned, t.overdue, t.result_number,
                          t.legal_days, t.legal_due_on, t.legal_overdue, t.note, t.red_card))
        if lived.rating:
            score, rated, due, closed = lived.rating
            ratings.append((case_id, score, due, closed, rated))
    return {"apps": apps, "tasks": tasks, "events": events, "ratings": ratings, "facts": facts}


class _Here:
    """One process: the cases are played here, between loads (a test's small seed)."""

    def __enter__(self):
        _init()
        return self

    def __exit__(self, *exc) -> None:
        return None

    @staticmethod
    def map(function, chunks):
        return map(function, chunks)


def _owed(owed) -> list:
    return [{"material": o.material, "due_on": o.due_on.isoformat(), "received": o.received,
             "reminded_on": None, "waived_by": None, "waived_reason": "", "waived_on": None} for o in owed]


APP_COLUMNS = ("id", "number", "thing", "applicant_id", "state", "version", "trail_count", "trail_head", "form",
               "problems", "owed", "delivery", "intake_due_on", "suspended_since", "submitted_at", "created_at",
               "updated_at", "grade", "window", "next_check_on")
TASK_COLUMNS = ("application_id", "item", "department", "stage", "state", "limit_days", "started_on", "due_on",
                "paused_days", "pause_kind", "paused_since", "warned", "overdue", "result_number", "legal_days",
                "legal_due_on", "legal_overdue", "note", "red_card", "extension_reason", "extension_note", "extension_days",
                "problems")
FACT_COLUMNS = ("application_id", "day", "department", "window", "thing", "item", "fact", "bucket")
EVENT_COLUMNS = ("application_id", "seq", "actor", "role", "action", "from_state", "to_state", "item", "note", "at",
                 "prev_hash", "hash")


async def load(conn: asyncpg.Connection, rows: dict, numbers: dict[date, int], counts: Counter) -> None:
    apps = []
    for (case_id, day, *rest) in rows["apps"]:
        numbers[day] = numbers.get(day, 0) + 1
        apps.append((case_id, f"YS{day:%Y%m%d}-{numbers[day]:04d}", *rest))
    async with conn.transaction():
        await conn.copy_records_to_table("application", records=apps, columns=APP_COLUMNS)
        await conn.copy_records_to_table("review_task", records=[(*t, "", "", 0, "[]") for t in rows["tasks"]],
                                         columns=TASK_COLUMNS)
        await conn.copy_records_to_table("audit_event", records=rows["events"], columns=EVENT_COLUMNS)
        await conn.copy_records_to_table(
            "evaluation", records=[(a, s, "", due, closed, rated) for a, s, due, closed, rated in rows["ratings"]],
            columns=("application_id", "score", "comment", "follow_up_due_on", "follow_up_closed_at", "created_at"))
        await conn.copy_records_to_table("supervision_fact", records=rows["facts"], columns=FACT_COLUMNS)
    counts.update(f[1:] for f in rows["facts"])


async def seed(url: str, cases: int, force: bool, since: str, until: str, seed_value: int, processes: int,
               stalled: bool = False) -> None:
    from storage import db

    began = time.perf_counter()
    await db.migrate(url, secret_key=os.environ.get("ONETHING_SECRET_KEY", "seed-" + "x" * 32))
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("SET synchronous_commit = off")
        existing = await conn.fetchval("SELECT count(*) FROM application")
        if existing and not force:
            raise SystemExit(f"the database already holds {existing} cases: give --force to add to them")
        first = (await conn.fetchval("SELECT coalesce(max(id), 0) FROM application")) + 1
        first_citizen = (await conn.fetchval("SELECT coalesce(max(id), 0) FROM citizen")) + 1
        citizens = max(1, cases * 2 // 3)
        await conn.copy_records_to_table("citizen", records=[
            (first_citizen + i, f"sandbox-seed-{first_citizen + i}", False, datetime.fromisoformat(since + "T00:00:00+00:00"))
            for i in range(citizens)], columns=("id", "openid", "enterprise_verified", "created_at"))
        numbers = {r["day"]: r["last_seq"] for r in await conn.fetch("SELECT day, last_seq FROM case_counter")}
        chunks = [(first + i, min(CHUNK, cases - i), seed_value * 1_000_003 + i, since, until, citizens, stalled)
                  for i in range(0, cases, CHUNK)]
        done, counts = 0, Counter()
        with ProcessPoolExecutor(processes, initializer=_init) if processes > 1 else _Here() as pool:
            for rows in pool.map(play, chunks):
                if first_citizen > 1:
                    rows["apps"] = [(a[0], a[1], a[2], a[3] + first_citizen - 1, *a[4:]) for a in rows["apps"]]
                await load(conn, rows, numbers, counts)
                done += len(rows["apps"])
                print(f"\r{done:>9,} cases  {time.perf_counter() - began:6.0f} s", end="", flush=True)
        # the day's counters, as the saves would have added them up (added to what is there)
        await conn.execute("CREATE TEMP TABLE seeded_count (LIKE supervision_count INCLUDING DEFAULTS)")
        await conn.copy_records_to_table("seeded_count", records=[(*k, n) for k, n in counts.items()],
                                         columns=(*FACT_COLUMNS[1:], "n"))
        columns = '"day", "department", "window", "thing", "item", "fact", "bucket"'
        await conn.execute(f'INSERT INTO supervision_count ({columns}, "n") SELECT {columns}, "n" FROM seeded_count '
                           f'ON CONFLICT ({columns}) DO UPDATE SET "n" = supervision_count."n" + excluded."n"')
        await conn.execute("DELETE FROM case_counter")
        await conn.copy_records_to_table("case_counter", records=sorted(numbers.items()),
                                         columns=("day", "last_seq"))
        for table in ("citizen", "application", "review_task", "audit_event", "evaluation", "supervision_fact",
                      "supervision_count"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 1) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    print(f"\n{cases:,} cases seeded in {time.perf_counter() - began:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=os.environ.get("ONETHING_DATABASE_URL"))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--force", action="store_true", help="add to a database that already holds cases")
    parser.add_argument("--since", default="2025-01-01", help="first day cases are submitted (Shanghai)")
    parser.add_argument("--until", default="2026-11-30T10:00:00+00:00", help="the moment the seeded county stands at")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--stalled", action="store_true",
                        help="accepted cases whose items nobody decides (open work for the sweep's bench)")
    args = parser.parse_args(argv)
    if not args.url or not args.url.startswith("postgres"):
        parser.error("a PostgreSQL URL is needed (argument or ONETHING_DATABASE_URL)")
    asyncio.run(seed(args.url, args.cases, args.force, args.since, args.until, args.seed, args.processes,
                     args.stalled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
