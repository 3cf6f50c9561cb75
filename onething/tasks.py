"""What the background jobs do: each is idempotent, so one cut short by a restart is simply run
again. ``onething.jobs`` runs them (saq workers, or tasks of the embedded ``serve``)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from onething.domain.calendar import local_date
from onething.keys import (calendar_key, catalog_key, grades_key, issues_key, messenger_key, notifier_key,
                           object_store_key, ranking_rules_key, redis_key, settings_key, templates_key, wechat_key,
                           workflow_key)
from onething.services import bulletins, calendar_watch, followers, manager_messages, progress, rankings

log = logging.getLogger("onething.jobs")
HEARTBEAT_KEY = "onething:worker:heartbeat"
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


async def watch_calendar(ctx: dict[str, Any]) -> None:
    """From 1 November, tell the supervisors that next year's official holiday schedule is missing."""
    app = ctx["app"]
    posted = await calendar_watch.warn_supervisors(app[calendar_key], app[templates_key], app[workflow_key].clock())
    if posted:
        log.warning("official holiday schedule missing: supervisors told", extra={"notices": posted})


async def freeze_rankings(ctx: dict[str, Any]) -> None:
    """Store the efficiency ranking of the week and the month just ended, so it is published as it stood."""
    app = ctx["app"]
    now = app[workflow_key].clock()
    desk = bulletins.Desk(app[catalog_key], app[grades_key], app[ranking_rules_key])
    frozen = await rankings.freeze_ended(app[ranking_rules_key], desk.figures_for, local_date(now), now)
    if frozen:
        log.info("rankings frozen", extra={"count": frozen})


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
                           public_url=app[settings_key].public_url, calendar=await app[calendar_key].fresh())
    await app[wechat_key].send_text(openid, text)


async def answer_parcels(ctx: dict[str, Any], openid: str) -> None:
    """The same for "我的快递": find out who is asking, then answer with their shipments."""
    app = ctx["app"]
    follower = await followers.link(app[wechat_key], openid)
    await app[wechat_key].send_text(openid, await progress.parcels_text(
        app[templates_key], app[catalog_key], follower, app[settings_key].public_url))


async def send_manager_messages(ctx: dict[str, Any]) -> None:
    """Managers' messages and broadcasts, a few at a time (see services.manager_messages)."""
    await ctx["app"][messenger_key].run()


async def fetch_media(ctx: dict[str, Any], message_id: int) -> None:
    """A contact's image or file, from WeChat into the object store, after the bot answered."""
    app = ctx["app"]
    await manager_messages.fetch_media(app[wechat_key], app[object_store_key], message_id)


def job_functions() -> list[JobFunction]:
    return [heartbeat, deadline_sweep, send_notifications, link_follower, answer_progress, answer_parcels,
            send_manager_messages, fetch_media, escalate_issues, watch_calendar, freeze_rankings]


def periodic_jobs() -> list[Periodic]:
    return [Periodic(heartbeat, 15), Periodic(deadline_sweep, 60), Periodic(send_notifications, 5),
            Periodic(send_manager_messages, 2), Periodic(escalate_issues, 60), Periodic(watch_calendar, 600),
            Periodic(freeze_rankings, 600)]
