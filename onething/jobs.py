"""Background jobs: saq on Redis in ``onething worker`` processes, or in-process on the embedded default.

The in-process Redis stand-in cannot block on a list (a saq worker over it spins the CPU), and
nothing outside the ``serve`` process can see it anyway, so there the same job functions run
as asyncio tasks of the web process. Every job is idempotent: a job that was cut short by a
restart is simply run again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Protocol

from aiohttp import web
from redis.exceptions import RedisError
from saq import CronJob, Worker
from saq.queue.redis import RedisQueue

from onething.keys import (catalog_key, issues_key, messenger_key, notifier_key, object_store_key, redis_key,
                           settings_key, templates_key, wechat_key, workflow_key)
from onething.services import followers, manager_messages, progress, shipment_views

log = logging.getLogger("onething.jobs")
QUEUE_NAME = "onething"
HEARTBEAT_KEY = "onething:worker:heartbeat"
JOB_TIMEOUT = 300  # seconds: a send run is 50 notifications, 8 at a time, each WeChat call at most 5 s
JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Periodic:
    function: JobFunction
    every_seconds: int


async def heartbeat(ctx: dict[str, Any]) -> None:
    """Let operators see that some worker is alive."""
    await ctx["app"][redis_key].set(HEARTBEAT_KEY, str(time.time()), ex=300)


async def deadline_sweep(ctx: dict[str, Any]) -> None:
    """Warn, flag overdue, deem intake accepted, tacitly approve, suspend and remind (see domain.clock)."""
    changed = await ctx["app"][workflow_key].sweep()
    if changed:
        log.info("deadline sweep", extra={"changed": changed})


async def escalate_issues(ctx: dict[str, Any]) -> None:
    """Escalate ledger issues whose level deadline has passed, one level each (see services.issues)."""
    escalated = await ctx["app"][issues_key].escalate_due()
    if escalated:
        log.info("issues escalated", extra={"count": escalated})


async def send_notifications(ctx: dict[str, Any]) -> None:
    """Send what the outbox holds (see services.notifier): a few seconds after each change."""
    handled = await ctx["app"][notifier_key].run()
    if handled:
        log.info("notifications handled", extra={"count": handled})


async def link_follower(ctx: dict[str, Any], openid: str) -> None:
    """Ask WeChat who a new follower is (their unionid), after the bot has answered them."""
    await followers.link(ctx["app"][wechat_key], openid)


async def answer_progress(ctx: dict[str, Any], openid: str, number: str | None = None) -> None:
    """A follower asked for progress before we knew who they are: find out, then answer."""
    app = ctx["app"]
    follower = await followers.link(app[wechat_key], openid)
    cases = await progress.cases_of(app[catalog_key], follower, number)
    text = progress.render(app[templates_key], cases, linked=follower.citizen_id is not None, number=number,
                           public_url=app[settings_key].public_url)
    await app[wechat_key].send_text(openid, text)


async def answer_parcels(ctx: dict[str, Any], openid: str) -> None:
    """The same for "我的快递": find out who is asking, then answer with their shipments."""
    app = ctx["app"]
    follower = await followers.link(app[wechat_key], openid)
    parcels = await shipment_views.shipments_of_citizen(follower.citizen_id) if follower.citizen_id else []
    text = app[templates_key].get_template("bot_parcels.txt.j2").render(
        parcels=parcels, linked=follower.citizen_id is not None, public_url=app[settings_key].public_url,
        thing_names={code: t.name for code, t in app[catalog_key].things.items()})
    await app[wechat_key].send_text(openid, text)


async def send_manager_messages(ctx: dict[str, Any]) -> None:
    """Managers' messages and broadcasts, a few at a time (see services.manager_messages)."""
    await ctx["app"][messenger_key].run()


async def fetch_media(ctx: dict[str, Any], message_id: int) -> None:
    """A contact's image or file, from WeChat into the object store, after the bot answered."""
    app = ctx["app"]
    await manager_messages.fetch_media(app[wechat_key], app[object_store_key], message_id)


def job_functions() -> list[JobFunction]:
    return [heartbeat, deadline_sweep, send_notifications, link_follower, answer_progress, answer_parcels,
            send_manager_messages, fetch_media, escalate_issues]


def periodic_jobs() -> list[Periodic]:
    return [Periodic(heartbeat, 15), Periodic(deadline_sweep, 60), Periodic(send_notifications, 5),
            Periodic(send_manager_messages, 2), Periodic(escalate_issues, 60)]


class Jobs(Protocol):
    async def enqueue(self, function: str, **kwargs: Any) -> None: ...


class SaqJobs:
    def __init__(self, queue: RedisQueue):
        self.queue = queue

    async def enqueue(self, function: str, **kwargs: Any) -> None:
        await self.queue.enqueue(function, retries=5, retry_delay=2.0, retry_backoff=True, timeout=JOB_TIMEOUT,
                                 **kwargs)


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

    # saq cancels a job after 10 s unless told otherwise: a sender cut off mid-call leaves a
    # message it cannot resend; give every job time to finish its run
    cron = [CronJob(p.function, cron=_cron(p.every_seconds), unique=True, timeout=JOB_TIMEOUT)
            for p in periodic_jobs()]
    return Worker(queue, functions=job_functions(), cron_jobs=cron, startup=startup,
                  concurrency=4, shutdown_grace_period_s=10)


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
    queue = RedisQueue(app[redis_key].__class__.from_url(settings.redis_url), name=QUEUE_NAME)
    await queue.connect()
    app[queue_key] = queue
    app[jobs_key] = SaqJobs(queue)
    yield
    try:
        await queue.disconnect()
    except (RedisError, OSError) as exc:  # shutting down while Redis is away must still finish
        log.warning("could not close the job queue cleanly", extra={"error": type(exc).__name__})
