"""A worker killed with SIGKILL in the middle of sending, and replaced: a real ``onething worker``
process on PostgreSQL and Redis, against a fake WeChat slow enough that a batch is always in
flight. Each notification reaches WeChat once; only those whose call was under way when the
worker died end ``unknown``; the new worker carries on within the lease."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from onething.jobs import queue_key
from onething.services.case_store import utcnow
from onething.services.notifier import PARALLEL
from storage.models import Follower, Notification
from tests.conftest import IN_CI, PG_URL, REDIS_URL
from tests.support import fake_wechat
from tests.support.apps import start_app
from tests.support.cases import citizen, draft
from tests.support.databases import fresh_database
from tests.support.people import wechat_env

# a developer's machine without them skips it; in CI it always runs, and fails without them
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not IN_CI and not (PG_URL and REDIS_URL), reason="needs PostgreSQL and Redis")]

NOTIFICATIONS = 40
LEASE = 2  # seconds (ONETHING_WORKER_LEASE); 20 by default
SEND_DELAY = 0.4  # seconds WeChat takes to answer each message: 8 at a time, 40 take 2 s
# once the new worker is up: what is left of a lease unbeaten, a sweep (each quarter lease, 1 s at
# least) waiting 1 s for the dead job, the sender's next 5-second tick (which also outlasts the 2 s
# before a swept job may be queued again) and saq's 1-second scheduling, and a second to spare.
# The defaults take 20 + 5 + 1 + 5 + 1 s: within a minute.
TAKEOVER_BUDGET = LEASE + 1 + 1 + 5 + 1 + 1


@pytest.fixture
async def own_database(tmp_path):
    """A database of its own: on the session's shared one, other tests' outbox would go out too."""
    async with fresh_database("postgres", tmp_path) as url:
        yield url


async def outbox(count: int) -> dict[int, str]:
    """Cases whose applicants follow the official account: notification id -> follower openid."""
    openids = {}
    for i in range(count):
        applicant = await citizen()
        follower = await Follower.create(openid=f"oa-chaos-{i}", citizen=applicant, last_message_at=utcnow())
        case = await draft(applicant=applicant)
        row = await Notification.create(application=case, citizen=applicant, kind="results_ready", payload={})
        openids[row.id] = follower.openid
    return openids


def start_worker(environ: dict[str, str], folder: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONETHING_")} | environ
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "onething.cli", "worker"], cwd=folder, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


async def until(condition, timeout: float, what: str) -> float:
    """Wait for ``condition()``; the seconds it took."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not after {timeout} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_a_worker_killed_mid_send_is_replaced_and_nothing_is_lost_or_sent_twice(own_database, aiohttp_server,
                                                                                        tmp_path):
    wechat = await aiohttp_server(fake_wechat.create_fake_wechat(send_delay=SEND_DELAY))
    running = await start_app(aiohttp_server, tmp_path, database_url=own_database, redis_url=REDIS_URL,
                              worker_lease=str(LEASE), **wechat_env(wechat, templates=False))

    def delivered() -> list[str]:
        return [body["touser"] for name, body in wechat.app[fake_wechat.SENT] if name == "oa_text"]

    async def delivering() -> bool:
        return len(delivered()) >= 12  # a batch answered, the next one on its way

    async def resumed() -> bool:
        return len(delivered()) > killed

    async def second_started() -> bool:
        return '"msg": "worker started"' in (tmp_path / "second.log").read_text(errors="replace")

    async def settled() -> bool:
        return not await Notification.filter(state__in=("pending", "sending", "attempting")).exists()

    workers = [start_worker(running.environ, tmp_path, tmp_path / "first.log")]  # starting up meanwhile
    try:
        openids = await outbox(NOTIFICATIONS)
        await until(delivering, 30, "the first worker sends")
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(5)
        killed = len(delivered())
        in_flight = set(await Notification.filter(state="attempting").values_list("id", flat=True))
        assert killed < NOTIFICATIONS and len(in_flight) <= PARALLEL
        # the dead worker's periodic sender is unique and still active: nobody else may run it yet
        assert (await running.app[queue_key].job("cron:send_notifications")).status == "active"

        workers.append(start_worker(running.environ, tmp_path, tmp_path / "second.log"))
        await until(second_started, 60, "the new worker starts")  # seconds of imports on a busy machine
        took = await until(resumed, TAKEOVER_BUDGET, "the new worker takes over")
        await until(settled, 30, "every notification is sent or given up")
    finally:
        for worker in workers:
            if worker.poll() is None:  # a graceful stop waits out saq's timers; nothing is left to finish
                worker.kill()
                worker.wait(5)
    logs = "\n".join(log.read_text(errors="replace") for log in sorted(tmp_path.glob("*.log")))

    states = dict(await Notification.all().values_list("id", "state"))
    unknown = {i for i, state in states.items() if state == "unknown"}
    # only those whose WeChat call had started when the worker died: at most the send concurrency
    assert unknown == in_flight, logs
    assert set(states.values()) <= {"sent", "unknown"}, states
    counts = Counter(delivered())
    assert max(counts.values()) == 1, counts  # nothing twice
    assert all(counts[openids[i]] == 1 for i, state in states.items() if state == "sent")  # nothing lost
    assert took < TAKEOVER_BUDGET
