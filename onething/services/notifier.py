"""The outbox sender: every notification a change wrote goes out once, on the best channel left
(claimed as services.sending describes, so never twice, and never lost with a dead worker)."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import jinja2
from tortoise.expressions import F

from onething.domain.calendar import SHANGHAI
from onething.domain.catalog import Catalog
from onething.domain.notifications import (MP_SUBSCRIBE, OA_SUBSCRIBE, OA_TEMPLATE, OA_TEXT, STAFF_ONLY,
                                           Templates, channels, clip, retry_after)
from onething.services import sending
from onething.services.case_store import utcnow
from onething.services.reach import reach_of
from storage.models import Notification, SubscribeConsent
from storage.wechat import USER_REFUSED, WeChatError, WeChatGateway

log = logging.getLogger("onething.notifier")
BATCH = 50
PARALLEL = 8  # WeChat allows far more; this keeps one worker from hogging the database pool
CASE_PAGE = "pages/applications/detail?id={id}"  # the mini-program page of one case


@dataclass(frozen=True)
class Message:
    status: str  # a few characters: 已受理, 需补正
    hint: str  # one short line: what to do next
    text: str  # the whole message, for a customer-service text


def render(env: jinja2.Environment, kind: str, context: dict) -> Message:
    """Each ``notify_<kind>.txt.j2`` has three blocks, one per length WeChat allows."""
    template = env.get_template(f"notify_{kind}.txt.j2")
    parts = {name: "".join(template.blocks[name](template.new_context(context))).strip()
             for name in ("status", "hint", "text")}
    return Message(**parts)


class Notifier:
    def __init__(self, gateway: WeChatGateway, env: jinja2.Environment, catalog: Catalog, templates: Templates,
                 clock: Callable[[], datetime] = utcnow, lease: float = sending.LEASE_SECONDS):
        self.gateway, self.env, self.catalog, self.templates, self.clock = gateway, env, catalog, templates, clock
        self.lease = lease

    async def run(self) -> int:
        """Send what is due; the number of notifications handled."""
        async with sending.Claims(Notification, self.clock, self.lease) as claims:
            now = self.clock()
            due = await claims.due(BATCH, "last_error")
            limit = asyncio.Semaphore(PARALLEL)  # so at most this many calls are ever in flight

            async def one(notification_id: int) -> int:
                async with limit:
                    if not await claims.claim(notification_id):
                        return 0  # another worker has it
                    row = await Notification.get(id=notification_id).prefetch_related("application")
                    try:
                        await self._deliver(claims, row, now)
                    except Exception as exc:  # a template, the database: not WeChat's answer
                        await self._failed(claims, row, exc, now)
                    return 1

            return sum(await asyncio.gather(*(one(i) for i in due)))

    async def _deliver(self, claims: sending.Claims, row: Notification, now: datetime) -> None:
        finish = functools.partial(self._finish, claims, row)
        if row.kind in STAFF_ONLY:
            await finish(state="internal", last_error="")
            return
        message = render(self.env, row.kind, self._context(row))
        reach = await reach_of(row, self.templates)
        for channel in channels(reach, self.templates, now, row.failed_channels, row.kind):
            if not await claims.attempting(row.id):
                return  # the claim lapsed meanwhile and another worker has taken the row back
            try:
                msgid = await self._send(channel, reach, row, message, now)
            except WeChatError as exc:
                error = f"{channel}: {exc.errcode} {exc.errmsg}".strip()
                if exc.uncertain:  # it may have arrived: never twice
                    await finish(state="unknown", channel=channel, last_error=f"{error}：无法确认是否送达，未重发")
                    return
                await claims.answered(row.id)
                if exc.transient:
                    await self._retry_later(claims, row, error, now)
                    return
                log.info("notification channel refused", extra={"channel": channel, "errcode": exc.errcode})
                row.failed_channels = [*row.failed_channels, channel]
                row.last_error = error
                if exc.errcode == USER_REFUSED:
                    await self._drop_consent(channel, reach)
                continue
            sent = dict(state="sent", channel=channel, sent_at=now, last_error="", wechat_msgid=msgid)
            await claims.answered(row.id, sent)
            await self._use_consent(channel, reach)
            await finish(**sent)
            return
        await finish(state="undeliverable",
                           last_error=row.last_error or "申请人未订阅消息，也未关注公众号：无法通知")

    async def _send(self, channel: str, reach, row: Notification, message: Message, now: datetime) -> str | None:
        """Send on one channel; the msgid of a template message (its delivery receipt comes later)."""
        number = row.application.number if row.application else row.payload.get("number", "")
        data = {
            "character_string1": {"value": clip(number, 32)},
            "thing2": {"value": clip(self._thing_name(row), 20)},
            "phrase3": {"value": clip(message.status, 5)},
            "thing4": {"value": clip(message.hint, 20)},
            "time5": {"value": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")},
        }
        page = CASE_PAGE.format(id=row.application_id) if row.application_id else None
        if channel == MP_SUBSCRIBE:
            await self.gateway.send_mini_subscribe(reach.mini_openid, self.templates.mp_subscribe, data, page or "")
        elif channel == OA_SUBSCRIBE:
            await self.gateway.send_oa_subscribe(reach.follower_openid, self.templates.oa_subscribe, data, page)
        elif channel == OA_TEXT:
            await self.gateway.send_text(reach.follower_openid, message.text)
        elif channel == OA_TEMPLATE:
            return await self.gateway.send_template(reach.follower_openid, self.templates.oa_template, data, page)
        return None

    async def _failed(self, claims: sending.Claims, row: Notification, exc: Exception, now: datetime) -> None:
        """Record what is known of a row whose handling failed; should that fail as well, its claim
        holds it until the lease runs out, and it is sent again unless its call may be out."""
        fate = claims.fate(row.id, "last_error")
        log.exception("notification failed", extra={"notification": row.id, "in_flight": row.id in claims.in_flight})
        try:
            if fate is None:  # nothing of it went out: try again later
                await self._retry_later(claims, row, type(exc).__name__, now)
            else:
                await self._finish(claims, row, **fate)
        except Exception:
            log.warning("could not record a failed notification", extra={"notification": row.id}, exc_info=True)

    async def _retry_later(self, claims: sending.Claims, row: Notification, error: str, now: datetime) -> None:
        attempts = row.attempts + 1
        pause = retry_after(attempts)
        log.warning("notification will be retried" if pause else "notification given up",
                    extra={"notification": row.id, "attempts": attempts})
        await self._finish(claims, row, state="pending" if pause else "failed", attempts=attempts, last_error=error,
                           next_attempt_at=now + pause if pause else None)

    async def _finish(self, claims: sending.Claims, row: Notification, **values) -> None:
        await claims.finish(row.id, failed_channels=row.failed_channels, **values)

    async def _use_consent(self, channel: str, reach) -> None:
        consent = self._consent(channel, reach)
        if consent is not None:
            await consent.filter(long_term=False, remaining__gt=0).update(remaining=F("remaining") - 1)

    async def _drop_consent(self, channel: str, reach) -> None:
        consent = self._consent(channel, reach)
        if consent is not None:
            await consent.update(remaining=0, long_term=False)

    def _consent(self, channel: str, reach):
        if channel == MP_SUBSCRIBE:
            return SubscribeConsent.filter(channel=channel, openid=reach.mini_openid,
                                           template_id=self.templates.mp_subscribe)
        if channel == OA_SUBSCRIBE:
            return SubscribeConsent.filter(channel=channel, openid=reach.follower_openid,
                                           template_id=self.templates.oa_subscribe)
        return None

    def _thing_name(self, row: Notification) -> str:
        thing = self.catalog.things.get(row.application.thing) if row.application else None
        return thing.name if thing else row.payload.get("title", "办件通知")

    def _context(self, row: Notification) -> dict:
        catalog = self.catalog

        def item_name(code: str) -> str:
            try:
                return catalog.item(code)[1].name
            except KeyError:
                return code

        def material_name(code: str) -> str:
            return catalog.materials[code].name if code in catalog.materials else code

        return {**row.payload, "number": row.application.number if row.application else "",
                "thing_name": self._thing_name(row), "item_name": item_name, "material_name": material_name}
