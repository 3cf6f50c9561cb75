"""Background jobs: saq on Redis in ``onething worker`` processes, or in-process on the embedded default.

The in-process Redis stand-in cannot block on a list (a saq worker over it spins the CPU), and
nothing outside the ``serve`` process can see it anyway, so there the same job functions run
as asyncio tasks of the web process. Every job is idempotent: a job that was cut short by a
restart is simply run again.

A worker that dies (kill -9, a lost machine) leaves its jobs "active" in Redis, and the
periodic ones are unique: nobody runs them again until saq sweeps them. So every job touches
its record while it runs, and saq takes back one left untouched for ``ONETHING_WORKER_LEASE``
seconds instead of waiting out the job's whole timeout.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, AsyncIterator, Protocol

from aiohttp import web
from redis.exceptions import RedisError
from saq import CronJob, Worker
from saq.queue.redis import RedisQueue

from onething.keys import redis_key, settings_key
from onething.sweeping_queue import SweepingQueue
from onething.tasks import JobFunction, Periodic, job_functions, periodic_jobs

log = logging.getLogger("onething.jobs")
QUEUE_NAME = "onething"
JOB_TIMEOUT = 300  # seconds: a send run is 50 notifications, 8 at a time, each WeChat call at most 5 s


class Jobs(Protocol):
    async def enqueue(self, function: str, **kwargs: Any) -> None: ...


class SaqJobs:
    def __init__(self, queue: RedisQueue, lease: int):
        self.queue, self.lease = queue, lease

    async def enqueue(self, function: str, **kwargs: Any) -> None:
        await self.queue.enqueue(function, retries=5, retry_delay=2.0, retry_backoff=True, timeout=JOB_TIMEOUT,
                                 heartbeat=self.lease, **kwargs)


class LocalJobs:
    """The embedded default's jobs: tasks of this process, periodic ones on a timer."""

    def __init__(self, app: web.Application):
        self._ctx = {"app": app}
        self._functions = {f.__name__: f for f in job_functions()}
        self._tasks: set[asyncio.Task] = set()
        self._once: set[asyncio.Task] = set()

    async def enqueue(self, function: str, **kwargs: Any) -> None:
        self._spawn(self._run(self._functions[function], kwargs), once=True)

    async def idle(self) -> None:
        """Wait for the enqueued jobs (not the periodic ones) to finish."""
        while self._once:
            await asyncio.gather(*self._once, return_exceptions=True)

    def start(self) -> None:
        for periodic in periodic_jobs():
            self._spawn(self._every(periodic))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coroutine, once: bool = False) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if once:
            self._once.add(task)
            task.add_done_callback(self._once.discard)

    async def _run(self, function: JobFunction, kwargs: dict[str, Any]) -> None:
        try:
            await function(self._ctx, **kwargs)
        except Exception:
            log.exception("job failed", extra={"job": function.__name__})

    async def _every(self, periodic: Periodic) -> None:
        while True:
            await self._run(periodic.function, {})
            await asyncio.sleep(periodic.every_seconds)


def make_worker(app: web.Application, queue: RedisQueue) -> Worker:
    """A saq worker whose jobs see the app's resources as ``ctx["app"]``."""

    async def startup(ctx: dict[str, Any]) -> None:
        ctx["app"] = app

    lease = app[settings_key].worker_lease
    functions = {f.__name__: beating(f, lease) for f in job_functions()}
    # saq cancels a job after 10 s unless told otherwise: a sender cut off mid-call leaves a
    # message it cannot resend; give every job time to finish its run
    cron = [CronJob(functions[p.function.__name__], cron=_cron(p.every_seconds), unique=True, timeout=JOB_TIMEOUT,
                    heartbeat=lease) for p in periodic_jobs()]
    # dead: unbeaten for a lease; found by the next sweep; run again by the next tick of its schedule
    return Worker(queue, functions=list(functions.values()), cron_jobs=cron, startup=startup,
                  concurrency=4, shutdown_grace_period_s=10, timers={"sweep": max(1, lease // 4)})


def beating(function: JobFunction, lease: int) -> JobFunction:
    """The job, touching its saq record every quarter lease while it runs (saq has the heartbeat
    setting, but leaves the beating to the job)."""

    @functools.wraps(function)  # saq knows a job by its function's name
    async def run(ctx: dict[str, Any], **kwargs: Any) -> Any:
        job = ctx.get("job")
        if job is None:
            return await function(ctx, **kwargs)
        stop = asyncio.Event()

        async def beat() -> None:
            while not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), lease / 4)
                except asyncio.TimeoutError:
                    try:
                        await job.update()
                    except (RedisError, OSError):  # Redis away for a moment: the next beat may get through
                        log.warning("could not touch a running job", extra={"job": function.__name__})

        beater = asyncio.create_task(beat())
        try:
            return await function(ctx, **kwargs)
        finally:  # stopped, not cancelled: a touch cut in half could outlive the job's end and revive it
            stop.set()
            await beater

    return run


def _cron(seconds: int) -> str:
    if seconds % 60 == 0:
        return f"*/{seconds // 60} * * * *"
    return f"* * * * * */{seconds}"  # saq's croniter takes a sixth field for seconds


jobs_key = web.AppKey("jobs", Jobs)
queue_key = web.AppKey("queue", RedisQueue)
run_jobs_key = web.AppKey("run_jobs_in_process", bool)


async def jobs_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    if settings.embedded_redis:
        local = LocalJobs(app)
        app[jobs_key] = local
        if app.get(run_jobs_key, True):
            local.start()
        yield
        await local.stop()
        return
    # saq closes the client it is given on disconnect: give it its own.
    queue = SweepingQueue(app[redis_key].__class__.from_url(settings.redis_url), name=QUEUE_NAME)
    await queue.connect()
    app[queue_key] = queue
    app[jobs_key] = SaqJobs(queue, settings.worker_lease)
    yield
    try:
        await queue.disconnect()
    except (RedisError, OSError) as exc:  # shutting down while Redis is away must still finish
        log.warning("could not close the job queue cleanly", extra={"error": type(exc).__name__})
