"""How a notification reaches the applicant: which WeChat channel, in what order, how often.

WeChat offers four ways to reach someone, each with its own condition:

- the mini-program's subscribe message, one per consent the user gave there;
- the official account's subscription notice, one per consent given in a popup there
  (or unlimited where the consent is long-term);
- the official account's customer-service text, within 48 hours of the user last writing;
- the official account's template message, to anyone following the account.

After them comes an SMS to the phone of the verified identity, for the notifications a citizen
must not miss (``SMS_KINDS``: the pickup code above all, which the courier asks for), each with
its own pre-approved template at the provider.

A notification tries them in that order, skipping those refused for good before (the user
withdrew consent, the window closed). A transient failure is retried later with growing
pauses; retries stop after a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MP_SUBSCRIBE, OA_SUBSCRIBE, OA_TEXT, OA_TEMPLATE = "mp_subscribe", "oa_subscribe", "oa_text", "oa_template"
SMS = "sms"
CHANNEL_NAMES = {MP_SUBSCRIBE: "小程序订阅消息", OA_SUBSCRIBE: "公众号订阅通知", OA_TEXT: "公众号客服消息",
                 OA_TEMPLATE: "公众号模板消息", SMS: "短信"}
# returned for correction (whole case or one item), refused, accepted, results ready, posted, owed due
SMS_KINDS = frozenset({"returned", "item_returned", "refused", "accepted", "results_ready", "shipment_posted",
                       "owed_due"})
SERVICE_WINDOW = timedelta(hours=48)
FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 12  # 30 s doubling to an hour: about half a day of trying
# Notices for staff (a bad rating goes to the supervisors' follow-up list), never to WeChat.
STAFF_ONLY = frozenset({"bad_rating"})
# Confirmations the applicant also saw on screen: they never spend a mini-program consent, which
# allows one message only and is kept for a decision (accepted, returned...).
SPARING = frozenset({"received"})


@dataclass(frozen=True)
class Reach:
    """What is known about reaching one applicant on WeChat."""

    mini_openid: str | None = None
    mini_consent: bool = False
    follower_openid: str | None = None
    follower_subscribed: bool = False
    oa_consent: bool = False
    last_message_at: datetime | None = None
    phone_cipher: str | None = None  # of the verified identity (encrypted until the SMS is sent)


@dataclass(frozen=True)
class Templates:
    mp_subscribe: str = ""
    oa_subscribe: str = ""
    oa_template: str = ""
    sms: frozenset[str] = frozenset()  # the kinds with an approved SMS template


def channels(reach: Reach, templates: Templates, now: datetime, refused: list[str] | tuple = (),
             kind: str = "") -> list[str]:
    """The channels to try, best first: WeChat's, then an SMS where the kind has one."""
    usable = []
    if templates.mp_subscribe and reach.mini_openid and reach.mini_consent and kind not in SPARING:
        usable.append(MP_SUBSCRIBE)
    if reach.follower_openid and reach.follower_subscribed:
        if templates.oa_subscribe and reach.oa_consent:
            usable.append(OA_SUBSCRIBE)
        if reach.last_message_at is not None and now - reach.last_message_at < SERVICE_WINDOW:
            usable.append(OA_TEXT)
        if templates.oa_template:
            usable.append(OA_TEMPLATE)
    if reach.phone_cipher and kind in SMS_KINDS and kind in templates.sms:
        usable.append(SMS)
    return [channel for channel in usable if channel not in refused]


def retry_after(attempts: int) -> timedelta | None:
    """The pause before attempt ``attempts + 1``, or None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return min(FIRST_RETRY * 2 ** (attempts - 1), LAST_RETRY)


def clip(text: str, limit: int) -> str:
    """WeChat refuses a whole message when one field is too long (47003): shorten instead."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
