"""Start the real application for a test, on the backends the test asks for."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestServer

from onething.app import create_app
from onething.keys import object_store_key, workflow_key
from onething.settings import Settings
from storage import db
from onething.settings import load_settings
from tests.conftest import free_port, settings_environ
from tests.support.cases import MONDAY, Clock


@dataclass
class RunningApp:
    app: web.Application
    server: TestServer
    settings: Settings
    environ: dict[str, str]

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    @property
    def store(self):
        return self.app[object_store_key]

    @property
    def clock(self) -> Clock:
        """The service's clock (deadlines, the ledger, the inbox): fixed, moved only by the test."""
        return self.app[workflow_key].clock


def create_bucket(object_store_url: str) -> None:
    from minio import Minio

    from onething.settings import load_settings

    s3 = load_settings({"ONETHING_OBJECT_STORE_URL": object_store_url, "ONETHING_SECRET_KEY": "k" * 40}).object_store.s3
    client = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key, secure=False, region=s3.region)
    if not client.bucket_exists(s3.bucket):
        client.make_bucket(s3.bucket)


_MIGRATED_SQLITE: list[Path] = []  # one migrated SQLite file per test session, copied for each test


async def migrated(database_url: str) -> None:
    """Migrate the database; a new SQLite file starts as a copy of one migrated once.

    Applying every migration to each test's fresh SQLite file took seconds a test (SQLite
    rebuilds a table for many a column change); the migrations themselves are tested in
    tests/integration/test_lifecycle.py, on each database.
    """
    target = Path(database_url.removeprefix("sqlite://")) if database_url.startswith("sqlite://") else None
    if target is None or target.exists():
        await db.migrate(database_url)
        return
    if not _MIGRATED_SQLITE:
        folder = tempfile.mkdtemp(prefix="onething-migrated-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Path(folder) / "template.sqlite3"
        await db.migrate(f"sqlite://{template}")
        _MIGRATED_SQLITE.append(template)
    shutil.copyfile(_MIGRATED_SQLITE[0], target)
    await db.migrate(database_url)  # nothing left to apply: proves the copy is current


async def start_app(aiohttp_server, tmp_path: Path, *, migrate: bool = True, run_jobs: bool = False,
                    now: datetime = MONDAY, **env: str) -> RunningApp:
    """The app on a test server. Periodic jobs stay off unless asked for: a test runs the job
    it is about itself (``drain_jobs`` for what requests enqueued), so nothing races it.

    The service's clock is fixed at ``now`` (by default Monday 2026-03-02, 10:00 in Shanghai):
    no test depends on today's date, nor on how far it is from the end of a known calendar year."""
    port = free_port()
    env.setdefault("public_url", f"http://127.0.0.1:{port}")
    environ = settings_environ(tmp_path, **env)
    settings = load_settings(environ)
    if settings.object_store.s3 is not None:
        create_bucket(env["object_store_url"])
    if settings.redis_url:
        # Each test starts with its own (SQLite) database, and ids start again at 1: what a
        # previous test left in Redis (cached case views, sessions) must not leak into it.
        # (async: the Redis URL may lead through a proxy running on this very loop)
        from redis.asyncio import Redis

        async with Redis.from_url(settings.redis_url) as redis:
            await redis.flushdb()
    if migrate:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        await migrated(settings.database_url)
    app = create_app(settings, run_jobs=run_jobs)
    server = await aiohttp_server(app, port=port)
    app[workflow_key].clock = Clock(now)
    return RunningApp(app=app, server=server, settings=settings, environ=environ)


async def until_idle(run) -> None:
    """Run a sender (the worker's periodic job) until nothing is due: on PostgreSQL the outbox
    may hold other tests' rows too, more than one batch."""
    while await run():
        pass


async def drain_jobs(app: web.Application) -> None:
    """Run what requests enqueued, as a worker would: saq's own worker on Redis, tasks otherwise."""
    from saq import Worker

    from onething.jobs import LocalJobs, job_functions, jobs_key, queue_key

    jobs = app[jobs_key]
    if isinstance(jobs, LocalJobs):
        await jobs.idle()
        return
    worker = Worker(app[queue_key], functions=job_functions(), dequeue_timeout=0.2)
    worker.context["app"] = app
    while await worker.process():
        pass
