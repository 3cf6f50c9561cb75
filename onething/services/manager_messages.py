"""Messages between a service manager and an enterprise's contacts, over the official account.

A manager's message becomes one delivery per contact, sent by the worker at WeChat's pace (so
a broadcast to many enterprises is throttled, and a restarted worker simply carries on with
what is still pending). Inside the 48 hours since the contact last wrote it goes out as a
customer-service text; outside, a template message invites them to reply, and their reply
releases what was held for them. A contact's own messages land in their manager's thread.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Callable

import jinja2
from tortoise.transactions import in_transaction

from onething.domain.calendar import SHANGHAI
from onething.domain.notifications import OA_TEMPLATE, OA_TEXT, SERVICE_WINDOW, Templates, clip, retry_after
from onething.services import sending
from onething.services.case_store import utcnow
from storage.models import EnterpriseContact, Follower, ManagerMessage, MessageDelivery
from storage.objects import ObjectStore
from storage.wechat import OUTSIDE_WINDOW, WeChatError, WeChatGateway

log = logging.getLogger("onething.messages")
PER_RUN = 20  # deliveries a run; runs every 2 seconds: 10 a second, well inside WeChat's quota
DOCUMENT_LINK = timedelta(days=7)
MEDIA_MAX = 20 * 1024 * 1024  # WeChat's own limit for files is lower
REPLY_WINDOW = 30 * 60  # seconds in which a contact's message counts as a reply to the manager
INVITATION_WINDOW = 7 * 24 * 3600  # an invitation to reply waits longer: the contact was away


async def post(enterprise_id: int, author: str, kind: str, text: str, now: datetime, *,
               contact_ids: list[int] | None = None, object_key: str | None = None, filename: str = "",
               broadcast_id: int | None = None) -> tuple[ManagerMessage | None, int]:
    """Record a manager's message and a delivery to each reachable contact (all, or those named)."""
    query = EnterpriseContact.filter(enterprise_id=enterprise_id, verified=True, follower_id__isnull=False,
                                     follower__subscribed=True)
    if contact_ids is not None:
        query = query.filter(id__in=contact_ids)
    contacts = await query
    if not contacts:
        return None, 0
    async with in_transaction() as conn:
        message = await ManagerMessage.create(
            enterprise_id=enterprise_id, direction="out", author=author, kind=kind, text=text, object_key=object_key,
            filename=filename, broadcast_id=broadcast_id, created_at=now, using_db=conn)
        for contact in contacts:
            await MessageDelivery.create(message_id=message.id, contact_id=contact.id, using_db=conn)
    return message, len(contacts)


async def received(contact: EnterpriseContact, kind: str, text: str, now: datetime, media_id: str | None = None,
                   filename: str = "") -> ManagerMessage:
    """A contact wrote to their manager: into the thread; what the manager sent before counts as read."""
    async with in_transaction() as conn:
        message = await ManagerMessage.create(
            enterprise_id=contact.enterprise_id, direction="in", author=f"contact:{contact.id}", contact_id=contact.id,
            kind=kind, text=text, media_id=media_id, filename=filename, created_at=now, using_db=conn)
        await MessageDelivery.filter(contact_id=contact.id, state="sent", read_at__isnull=True).using_db(conn).update(
            read_at=now)
        if contact.follower_id is not None:  # the 48-hour window is open again
            await Follower.filter(id=contact.follower_id).using_db(conn).update(last_message_at=now)
        # held for want of the window: it can go now
        await MessageDelivery.filter(contact_id=contact.id, state="invited").using_db(conn).update(
            state="pending", next_attempt_at=None)
    return message


class Messenger:
    def __init__(self, gateway: WeChatGateway, env: jinja2.Environment, store: ObjectStore, redis, templates: Templates,
                 clock: Callable[[], datetime] = utcnow, per_run: int = PER_RUN, lease: float = sending.LEASE_SECONDS):
        self.gateway, self.env, self.store, self.redis, self.templates = gateway, env, store, redis, templates
        self.clock, self.per_run, self.lease = clock, per_run, lease

    async def run(self) -> int:
        sent = 0
        async with sending.Claims(MessageDelivery, self.clock, self.lease) as claims:  # as for notifications
            now = self.clock()
            for delivery_id in await claims.due(self.per_run, "error"):
                if not await claims.claim(delivery_id):
                    continue  # another worker has it
                delivery = await MessageDelivery.get(id=delivery_id).prefetch_related(
                    "message", "message__enterprise", "message__enterprise__manager", "contact", "contact__follower")
                finish = functools.partial(claims.finish, delivery.id)
                try:
                    await self._deliver(claims, finish, delivery, now)
                except Exception as exc:  # a template, the store, the database: not WeChat's answer
                    await self._failed(claims, finish, delivery, exc, now)
                sent += 1
        return sent

    async def _deliver(self, claims: sending.Claims, finish, delivery: MessageDelivery, now: datetime) -> None:
        follower: Follower | None = delivery.contact.follower
        if follower is None or not follower.subscribed:
            return await finish(state="failed", error="联系人未关注公众号")
        window_open = follower.last_message_at is not None and now - follower.last_message_at < SERVICE_WINDOW
        if window_open:
            text = await self._text(delivery.message)
            if not await claims.attempting(delivery.id):
                return  # the claim lapsed meanwhile and another worker has taken it back
            try:
                await self.gateway.send_text(follower.openid, text)
            except WeChatError as exc:
                if exc.errcode != OUTSIDE_WINDOW:
                    return await self._refused(claims, finish, delivery, exc, now)
                await claims.answered(delivery.id)  # closed after all: invite a reply instead
            else:
                sent = dict(state="sent", channel=OA_TEXT, sent_at=now, error="")
                return await self._taken(claims, finish, follower, delivery, REPLY_WINDOW, sent)
        if not self.templates.oa_template:
            return await finish(state="failed", error="超过48小时未互动，且未配置模板消息")
        invitation = self._invitation(delivery.message, now)
        if not await claims.attempting(delivery.id):
            return
        try:
            msgid = await self.gateway.send_template(follower.openid, self.templates.oa_template, invitation, None)
        except WeChatError as exc:
            return await self._refused(claims, finish, delivery, exc, now)
        invited = dict(state="invited", channel=OA_TEMPLATE, sent_at=now, error="", wechat_msgid=msgid)
        await self._taken(claims, finish, follower, delivery, INVITATION_WINDOW, invited)  # their reply releases it

    async def _taken(self, claims: sending.Claims, finish, follower: Follower, delivery: MessageDelivery,
                     window: int, outcome: dict) -> None:
        await claims.answered(delivery.id, outcome)
        await finish(**outcome)
        await self._await_reply(follower, delivery, window)

    async def _refused(self, claims: sending.Claims, finish, delivery: MessageDelivery, exc: WeChatError,
                       now: datetime) -> None:
        error = f"{exc.errcode} {exc.errmsg}".strip()
        if exc.uncertain:  # it may have arrived: never twice
            return await finish(state="unknown", error=f"{error}：无法确认是否送达，未重发")
        await claims.answered(delivery.id)
        if not exc.transient:
            return await finish(state="failed", error=error)
        await self._retry_later(finish, delivery, error, now)

    async def _failed(self, claims: sending.Claims, finish, delivery: MessageDelivery, exc: Exception,
                      now: datetime) -> None:
        """As for notifications: retried unless its call may be out; left to the lease if even that fails."""
        fate = claims.fate(delivery.id, "error")
        log.exception("manager message failed", extra={"delivery": delivery.id,
                                                        "in_flight": delivery.id in claims.in_flight})
        try:
            await (self._retry_later(finish, delivery, type(exc).__name__, now) if fate is None else finish(**fate))
        except Exception:
            log.warning("could not record a failed manager message", extra={"delivery": delivery.id}, exc_info=True)

    async def _retry_later(self, finish, delivery: MessageDelivery, error: str, now: datetime) -> None:
        attempts = delivery.attempts + 1
        pause = retry_after(attempts)
        await finish(state="pending" if pause else "failed", attempts=attempts, error=error,
                     next_attempt_at=now + pause if pause else None)

    async def _await_reply(self, follower: Follower, delivery: MessageDelivery, seconds: int) -> None:
        """What the contact writes next answers the manager, not the bot."""
        state = {"mode": "manager", "contact": delivery.contact_id}
        await self.redis.set(f"bot:state:{follower.openid}", json.dumps(state), ex=seconds)

    async def _text(self, message: ManagerMessage) -> str:
        link = None
        if message.object_key:
            link = await self.store.presign_download(message.object_key, expires=DOCUMENT_LINK, filename=message.filename)
        manager = message.enterprise.manager  # named as people know them, not by login
        return self.env.get_template("manager_message.txt.j2").render(
            message=message, link=link, manager=(manager.display_name or manager.username) if manager else "")

    def _invitation(self, message: ManagerMessage, now: datetime) -> dict:
        hint = self.env.get_template("manager_invitation.txt.j2").render(message=message).strip()
        return {"character_string1": {"value": clip(message.enterprise.credit_code, 32)},
                "thing2": {"value": clip(message.enterprise.name, 20)},
                "phrase3": {"value": "待回复"}, "thing4": {"value": clip(hint, 20)},
                "time5": {"value": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")}}


async def fetch_media(gateway: WeChatGateway, store: ObjectStore, message_id: int) -> None:
    """Keep what a contact sent (WeChat keeps media for 3 days only) in the object store."""
    message = await ManagerMessage.get(id=message_id)
    if message.object_key or not message.media_id:
        return
    try:
        data, content_type = await gateway.download_media(message.media_id)
    except WeChatError as exc:
        if exc.transient:
            raise  # the job is retried
        await ManagerMessage.filter(id=message.id).update(text=f"{message.text}（文件无法从微信取回：{exc.errcode}）")
        return
    key = f"messages/{message.enterprise_id}/{message.id}-{uuid.uuid4().hex}"

    async def chunks():
        yield data

    await store.put(key, chunks(), content_type=content_type.split(";")[0], max_size=MEDIA_MAX)
    await ManagerMessage.filter(id=message.id).update(object_key=key, filename=message.filename or f"{message.kind}-{message.id}")
