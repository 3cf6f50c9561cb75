"""saq jobs and their lease on real Redis: a job that runs longer than the lease keeps it while its
worker lives, and one whose worker vanished is run again once the lease is up (not after the
job's 300 s timeout)."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from redis.asyncio import Redis
from saq import Job, Status, Worker

from onething import jobs
from onething.keys import settings_key
from onething.tasks import Periodic
from tests.conftest import IN_CI, REDIS_URL, make_settings

# skipped on a developer's machine without Redis; in CI it always runs, and fails without it
pytestmark = pytest.mark.skipif(not IN_CI and not REDIS_URL, reason="saq needs a real Redis")

LEASE = 2


@pytest.fixture
async def queue():
    queue = jobs.SweepingQueue(Redis.from_url(REDIS_URL), name=f"test-{uuid.uuid4().hex[:8]}")
    await queue.connect()
    yield queue
    await queue.disconnect()


def worker_of(queue, tmp_path, monkeypatch, *functions, periodic: list[Periodic] = ()) -> Worker:
    for function in functions:
        function.__qualname__ = function.__name__  # saq knows a job by its function's qualified name
    monkeypatch.setattr(jobs, "job_functions", lambda: list(functions))
    monkeypatch.setattr(jobs, "periodic_jobs", lambda: list(periodic))
    app = {settings_key: make_settings(tmp_path, worker_lease=str(LEASE))}  # all make_worker reads
    worker = jobs.make_worker(app, queue)
    worker.dequeue_timeout, worker.timers["worker_info"] = 0.2, 1  # so that it stops at once
    return worker


async def test_a_job_longer_than_the_lease_keeps_it_while_its_worker_lives(queue, tmp_path, monkeypatch):
    runs = []

    async def long_send(ctx):
        runs.append(time.monotonic())
        await asyncio.sleep(LEASE * 2.5)  # the sweep looks every second meanwhile

    worker = worker_of(queue, tmp_path, monkeypatch, long_send)
    await jobs.SaqJobs(queue, LEASE).enqueue("long_send")
    running = asyncio.create_task(worker.start())
    try:
        await asyncio.sleep(LEASE * 3.5)
    finally:
        await worker.stop()
        await running
    assert len(runs) == 1  # never swept from under it, so never run twice


async def test_a_vanished_workers_periodic_job_runs_again_after_one_lease(queue, tmp_path, monkeypatch):
    runs = []

    async def sweep_deadlines(ctx):
        runs.append(time.monotonic())

    worker = worker_of(queue, tmp_path, monkeypatch, sweep_deadlines, periodic=[Periodic(sweep_deadlines, 1)])
    # another worker like it took the periodic job and died: saq still holds it active, and it is unique
    (cron,) = worker.cron_jobs
    await queue.enqueue("sweep_deadlines", key="cron:sweep_deadlines", heartbeat=cron.heartbeat, timeout=cron.timeout)
    job = await queue.dequeue()
    job.started, job.attempts = int(time.time() * 1000), 1
    await job.update(status="active")
    died = time.monotonic()

    running = asyncio.create_task(worker.start())
    try:
        deadline = died + LEASE + 6  # the lease, a sweep and its 1 s wait, the next tick: not 300 s
        while not runs and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await worker.stop()
        await running
    assert runs, "the dead worker's job was never run again"
    assert runs[0] - died >= LEASE - 0.5  # and not before its lease was up


async def taken_unmarked(queue) -> Job:
    """A job a worker has just moved to the active list, as saq's worker does, and not yet marked
    active (the worker's next round trip)."""
    job = await queue.enqueue("long_send", heartbeat=LEASE, retries=5)
    assert await queue.redis.lmove(queue._queued, queue._active, "LEFT", "RIGHT") == job.id.encode()
    return job


async def test_a_job_a_worker_is_just_taking_is_left_to_it(queue):
    job = await taken_unmarked(queue)
    sweeping = asyncio.create_task(queue.sweep(lock=1))
    await asyncio.sleep(0.2)  # the sweep has read the job still marked queued
    await job.update(status=Status.ACTIVE)  # the worker marks it: the job is its own
    assert await sweeping == []
    await job.refresh()
    assert job.status == Status.ACTIVE and job.error is None
    assert await queue.redis.lrange(queue._active, 0, -1) == [job.id.encode()]
    assert await queue.redis.llen(queue._queued) == 0  # not queued again: run once


async def test_a_job_left_unmarked_by_a_worker_that_died_taking_it_is_swept_and_queued_again(queue):
    job = await taken_unmarked(queue)
    assert await queue.sweep(lock=1) == [job.id]
    await job.refresh()
    assert job.status == Status.QUEUED and job.error == queue.swept_error_message  # retried, not lost
    assert await queue.redis.lrange(queue._active, 0, -1) == []
