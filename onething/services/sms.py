"""The SMS channel: a pre-approved template per notification kind, its parameters rendered from
``templates/sms/<kind>.txt.j2`` (one parameter a line), a per-number limit kept below the
provider's own, and the provider's delivery receipts.

Tencent Cloud SMS refuses by default more than one message of the same content to a number in
30 seconds, and caps each number by the hour and the day (the console can lower those caps). Our
limit is stricter, so the provider never has to refuse us and a flood of notices to one person
waits here, retried later like any transient failure. The phone is never logged: only its hash
names its counters.
"""

from __future__ import annotations

import hashlib
import logging

import jinja2
from redis import asyncio as aioredis

from onething.domain.notifications import SMS_KINDS
from storage.models import Notification
from storage.redis import hit_rate_limit
from storage.sms import SandboxSms, SmsError, SmsSender, open_sms

log = logging.getLogger("onething.sms")
PARAM_LIMIT = 20  # characters: the provider refuses a whole message for one over-long variable
# (window seconds, messages): same content; any content by the hour; by the day
SAME_CONTENT = (30, 1)
PER_NUMBER = ((3600, 5), (86400, 10))
RECEIPT_STATES = {"SUCCESS": "delivered", "FAIL": "failed"}


def params(env: jinja2.Environment, kind: str, context: dict) -> list[str]:
    """The template's parameters, in order: one non-empty line each, shortened to what fits."""
    text = env.get_template(f"sms/{kind}.txt.j2").render(context)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line if len(line) <= PARAM_LIMIT else line[: PARAM_LIMIT - 1] + "…" for line in lines if line]


class SmsChannel:
    def __init__(self, sender: SmsSender, env: jinja2.Environment, redis: aioredis.Redis, cipher,
                 template_ids: dict[str, str]):
        self.sender, self.env, self.redis, self.cipher = sender, env, redis, cipher
        self.template_ids = template_ids

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind for kind, template_id in self.template_ids.items() if template_id)

    async def send(self, kind: str, phone_cipher: str, context: dict) -> str:
        """Send one notification by SMS; the provider's serial number, which its receipt names. The
        phone is decrypted here, for this call alone."""
        phone = self.cipher.decrypt(phone_cipher)
        values = params(self.env, kind, context)
        number = hashlib.sha256(phone.encode()).hexdigest()[:24]
        content = hashlib.sha256("\x1f".join([kind, *values]).encode()).hexdigest()[:16]
        limits = [(f"sms:same:{number}:{content}", *SAME_CONTENT)] + \
                 [(f"sms:number:{number}:{window}", window, most) for window, most in PER_NUMBER]
        for key, window, most in limits:
            if await hit_rate_limit(self.redis, key, limit=most, window_seconds=window):
                log.info("SMS held back by the per-number limit", extra={"kind": kind, "window": window})
                raise SmsError("LimitExceeded.PhoneNumberLocal", f"每个号码{window}秒内最多{most}条")
        return await self.sender.send(phone, self.template_ids[kind], values)


def sms_channel(settings, env: jinja2.Environment, redis: aioredis.Redis, cipher) -> SmsChannel:
    """The provider's channel, or in its sandbox (no SMS settings) every kind recorded, not sent."""
    if settings.sms is None:
        return SmsChannel(SandboxSms(), env, redis, cipher, {kind: f"sandbox-{kind}" for kind in SMS_KINDS})
    return SmsChannel(open_sms(settings), env, redis, cipher, dict(settings.sms.templates))


async def record_receipts(entries: list[dict]) -> int:
    """The provider's delivery receipts (``sid`` is the serial number the send returned); how many
    matched a sent notification. A late or repeated receipt changes nothing already settled."""
    changed = 0
    for entry in entries:
        state = RECEIPT_STATES.get(str(entry.get("report_status", "")))
        sid = str(entry.get("sid", ""))[:64]
        if state is None or not sid:
            continue
        error = "" if state == "delivered" else \
            f"sms: {str(entry.get('errmsg', ''))[:40]} {str(entry.get('description', ''))[:100]}".strip()
        changed += await Notification.filter(sms_serial=sid, channel="sms", state="sent").update(
            state=state, last_error=error)
    return changed
