"""The composition root: ``create_app(settings)`` wires resources, services and entrypoints.

Nothing here runs at import time; every resource is opened in its own ``cleanup_ctx`` and
reached through a typed ``web.AppKey``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from contextlib import AsyncExitStack, asynccontextmanager
from typing import AsyncIterator

from aiohttp import web

import bot
import carrier_api
import courier_api
import miniapp_api
import staff_api
import staff_console
from onething import jobs
from onething.keys import (
    calendar_key, catalog_key, id_cipher_key, messages_key, object_store_key, redis_key, settings_key, templates_key,
    grades_key, issues_key, messenger_key, notifier_key, ranking_rules_key, wechat_key, workflow_key,
)
from onething.services import case_views
from onething.services.citizens import IdCipher, digest_missing, encrypt_phones
from onething.services.issues import IssueDesk
from onething.services.manager_messages import Messenger
from onething.services.notifier import Notifier
from onething.services.sms import sms_channel
from onething.services.calendars import CalendarBook
from onething.services.reference import (load_catalog, load_grade_rules, load_ladder, load_ranking_rules,
                                         load_seed_schedules)
from onething.services.workflow import Workflow
from onething.domain.notifications import Templates
from onething.settings import Settings, Unreachable
from onething.messages import load_messages
from onething.templating import make_environment
from onething.web import health, objects, security_headers
from onething.web.requests import edge_middleware
from storage import db
from storage.objects import open_object_store
from storage.redis import open_redis
from storage.wechat import open_gateway

log = logging.getLogger("onething.app")
MAX_JSON_BODY = 2 * 1024 * 1024  # uploads stream past this; JSON and XML bodies stay small


@asynccontextmanager
async def reaching(service: str, variable: str) -> AsyncIterator[None]:
    """Each dependency is tried once at startup, so that the one that is down is named there,
    not found by the first request."""
    from redis.exceptions import ConnectionError as RedisConnectionError, TimeoutError as RedisTimeoutError
    from tortoise.exceptions import DBConnectionError

    try:
        yield
    except (OSError, RedisConnectionError, RedisTimeoutError, DBConnectionError) as exc:
        raise Unreachable(service, variable, exc) from exc


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        async with reaching("the database", "ONETHING_DATABASE_URL"):
            await stack.enter_async_context(db.database(app[settings_key].database_url))
            await db.ping()
        yield


async def identity_ctx(app: web.Application) -> AsyncIterator[None]:
    # ID numbers stored before their keyed digests were kept get one, so credit flags find them
    await digest_missing(app[id_cipher_key])
    await encrypt_phones(app[id_cipher_key])
    yield


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    client = open_redis(app[settings_key].redis_url)
    try:
        async with reaching("Redis", "ONETHING_REDIS_URL"):
            await client.ping()
    except Unreachable as exc:
        # Named now, as the database is; but the service still starts: what needs Redis answers
        # 503 until it answers, and recovers by itself (tests/e2e/test_outages.py).
        log.error("%s; serving 503 to what needs it until it answers", exc)
    app[redis_key] = client
    yield
    await client.aclose()


async def object_store_ctx(app: web.Application) -> AsyncIterator[None]:
    store = await open_object_store(app[settings_key])
    app[object_store_key] = store
    yield
    await store.close()


async def reference_ctx(app: web.Application) -> AsyncIterator[None]:
    # Loaded and validated at startup: a broken catalog stops the service before any request.
    app[catalog_key] = load_catalog()
    app[grades_key] = load_grade_rules()  # a broken supervision.yaml stops the service like the catalog
    app[ranking_rules_key] = load_ranking_rules()  # the efficiency ranking's weights: a broken file stops startup
    # Imported years (``onething calendar import --apply``) are read from the database as they come.
    app[calendar_key] = CalendarBook(load_seed_schedules())
    yield


async def calendar_ctx(app: web.Application) -> AsyncIterator[None]:
    # A year imported by ``onething calendar import --apply`` in another process shows here within seconds.
    stop = asyncio.Event()
    refresher = asyncio.create_task(app[calendar_key].keep_fresh(stop))
    yield
    stop.set()
    await refresher


async def workflow_ctx(app: web.Application) -> AsyncIterator[None]:
    redis = app[redis_key]

    async def changed(application_id: int) -> None:
        await case_views.forget(redis, application_id)

    app[workflow_key] = Workflow(app[catalog_key], app[calendar_key], on_change=changed, grades=app[grades_key],
                                 templates=app[templates_key])
    yield


async def issues_ctx(app: web.Application) -> AsyncIterator[None]:
    # The escalation ladder is validated at startup like the catalog; the ledger keeps the workflow's clock.
    workflow = app[workflow_key]
    departments = {code: d.name for code, d in app[catalog_key].departments.items()}
    app[issues_key] = IssueDesk(load_ladder(), app[calendar_key], app[templates_key], departments,
                                clock=lambda: workflow.clock())
    yield


async def wechat_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    gateway, close = open_gateway(settings)
    app[wechat_key] = gateway
    wechat = dataclasses.asdict(settings.message_templates)
    if settings.wechat_sandbox:  # every channel works in the sandbox, so all of it can be tried
        wechat = {k: v or f"sandbox-{k}" for k, v in wechat.items()}
    sms = sms_channel(settings, app[templates_key], app[redis_key], app[id_cipher_key])
    templates = Templates(**wechat, sms=sms.kinds)
    lease = settings.worker_lease
    app[notifier_key] = Notifier(gateway, app[templates_key], app[catalog_key], templates, lease=lease, sms=sms)
    app[messenger_key] = Messenger(gateway, app[templates_key], app[object_store_key], app[redis_key], templates,
                                   lease=lease)
    yield
    close()


def create_core(settings: Settings, *, run_jobs: bool = True) -> web.Application:
    """The resources alone: what the web app and the worker share."""
    app = web.Application(client_max_size=MAX_JSON_BODY)
    app[settings_key] = settings
    app[jobs.run_jobs_key] = run_jobs
    app[templates_key] = make_environment()
    app[messages_key] = load_messages(app[templates_key])
    app[id_cipher_key] = IdCipher(settings.secret_key)
    app.cleanup_ctx.extend([reference_ctx, database_ctx, calendar_ctx, identity_ctx, redis_ctx, workflow_ctx,
                            object_store_ctx, wechat_ctx, issues_ctx, jobs.jobs_ctx])
    return app


@asynccontextmanager
async def started(app: web.Application) -> AsyncIterator[web.Application]:
    """Run an app's startup and cleanup without a web server (the worker, the CLI, tests)."""
    app.on_startup.freeze()  # the order aiohttp's own runner uses
    await app.startup()
    app.freeze()
    try:
        yield app
    finally:
        await app.cleanup()


def create_app(settings: Settings, *, run_jobs: bool = True) -> web.Application:
    app = create_core(settings, run_jobs=run_jobs)
    app.middlewares.append(edge_middleware)  # request ids, the CSP nonce, errors, header hygiene: one layer
    security_headers.setup(app)
    if settings.object_store.s3 is not None:  # the console previews applicants' files from there
        app[security_headers.FILES_ORIGIN] = settings.object_store.s3.download_origin
    health.setup(app)
    if settings.object_store.folder is not None:
        objects.setup(app)
    bot.setup(app)  # /bot/wechat: on the root app, as a sub-app costs each message (bot/app.py)
    app.add_subapp("/api/v1/", miniapp_api.create_app())
    app.add_subapp("/staff/api/v1/", staff_api.create_app())
    app.add_subapp("/staff/", staff_console.create_app())  # after the API: the longer prefix is the API's
    # before /courier/: the longer prefix is the carriers' own sub-app
    app.add_subapp("/courier/api/v1/carriers/", carrier_api.create_app())
    app.add_subapp("/sms/", carrier_api.create_sms_app())
    app.add_subapp("/courier/", courier_api.create_app())
    return app


__all__ = ["create_app", "create_core"]
