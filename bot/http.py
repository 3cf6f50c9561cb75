"""The official account's message endpoint, ``/bot/wechat``: verify, decrypt, dedupe, answer.

WeChat signs every request with the account token; in safe mode the body is AES-encrypted
and carries its own signature too. Nothing is processed before both check out, the body is
small, and its XML has no DTD (no entity expansion, no external entities). WeChat retries a
message it got no answer to within 5 seconds, so each message is answered once across all
app processes (a Redis key per MsgId, or sender + time for events).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time

from aiohttp import web
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto

from onething.jobs import jobs_key
from onething.keys import redis_key, settings_key
from onething.services.case_store import utcnow

from .conversation import Conversation, Incoming
from .resources import RESOURCES

log = logging.getLogger("onething.bot")
MAX_BODY = 64 * 1024  # WeChat's messages are a few hundred bytes
MAX_SKEW = 300  # seconds between WeChat's timestamp and ours
SEEN_TTL = 60  # WeChat retries three times, 5 seconds apart
# Events a user's own action sends: these open WeChat's 48-hour window and mark the follower as
# following; template receipts, unsubscribing and the like do not.
USER_EVENTS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})
SANDBOX_TOKEN = "sandbox"
# A follower's last message is written to the database at most hourly: WeChat's 48-hour window
# is then judged closed up to an hour early, never late.
ACTIVE_TTL = 3600


def _token(request: web.Request) -> str:
    settings = request.config_dict[settings_key]
    if settings.official_account is not None:
        return settings.official_account.token
    if not settings.wechat_sandbox:  # the mini-program is real: a publicly known token must not work
        raise web.HTTPNotFound()
    return SANDBOX_TOKEN


def _crypto(request: web.Request) -> WeChatCrypto | None:
    account = request.config_dict[settings_key].official_account
    if account is None or account.aes_key is None:
        return None
    cache = request.config_dict[RESOURCES]  # one per process: it derives the AES key once
    if "crypto" not in cache:
        cache["crypto"] = WeChatCrypto(account.token, account.aes_key, account.appid)
    return cache["crypto"]


def _check_signature(request: web.Request) -> tuple[str, str]:
    query = request.query
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not _signed(query.get("signature", ""), _token(request), timestamp, nonce):
        log.warning("bot request refused", extra={"reason": "signature"})
        raise web.HTTPForbidden(text="invalid signature")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW:
        log.warning("bot request refused", extra={"reason": "stale timestamp"})
        raise web.HTTPForbidden(text="stale timestamp")
    return timestamp, nonce


def _signed(signature: str, *parts: str) -> bool:
    """WeChat's signature: SHA-1 of the sorted parts, compared in constant time."""
    expected = hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())  # str would raise on non-ASCII


async def verify(request: web.Request) -> web.Response:
    """WeChat's URL check when the server address is configured: echo ``echostr`` back."""
    _check_signature(request)
    return web.Response(text=request.query.get("echostr", ""))


async def receive(request: web.Request) -> web.Response:
    timestamp, nonce = _check_signature(request)
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    body = await _read_body(request)
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    envelope = _safe_xml(body)
    crypto = _crypto(request) if request.query.get("encrypt_type") == "aes" else None
    xml = body.decode("utf-8", "replace")
    if crypto is not None:
        # checked here in constant time (wechatpy compares with !=), from the envelope parsed above
        encrypted, signature = envelope.findtext("Encrypt") or "", request.query.get("msg_signature", "")
        if not _signed(signature, _token(request), timestamp, nonce, encrypted):
            log.warning("bot request refused", extra={"reason": "msg_signature"})
            raise web.HTTPForbidden(text="invalid msg_signature")
        try:
            xml = crypto.decrypt_message({"Encrypt": encrypted}, signature, timestamp, nonce)
        except Exception:  # bad base64, padding or appid: not a message from WeChat
            log.warning("bot request refused", extra={"reason": "undecryptable"})
            raise web.HTTPBadRequest(text="undecryptable message") from None
        _no_dtd(xml)
    message = parse_message(xml)
    incoming = _incoming(message, xml)
    user_acted = incoming.type != "event" or incoming.event in USER_EVENTS
    seen_key, (first, newly_active, state) = await _claim(request, message, incoming, user_acted)
    if not first:
        return web.Response(text="success")  # a retry of a message already answered
    try:
        incoming.state = json.loads(state) if state else {}
        conversation = Conversation(request.config_dict, incoming.openid, now=utcnow(),
                                    touch=user_acted and (bool(newly_active) or incoming.event == "subscribe"))
        answer = await conversation.answer(incoming)
        await _remember(request.config_dict[redis_key], incoming.openid, incoming.state, answer.state, answer.ttl)
        for job, kwargs in [*answer.later, *await conversation.follow_ups()]:
            await request.config_dict[jobs_key].enqueue(job, **kwargs)
    except Exception:
        # not handled after all: WeChat's retry must be handled, not answered as a duplicate
        await request.config_dict[redis_key].delete(seen_key)
        raise
    if not answer.text:
        return web.Response(text="success")
    reply = create_reply(answer.text, message, render=True)
    if crypto is not None:
        reply = crypto.encrypt_message(reply, nonce, timestamp)
    return web.Response(text=reply, content_type="application/xml")


def _incoming(message, xml: str) -> Incoming:
    data = message._data  # wechatpy keeps every field; unknown events have only these
    event = (data.get("Event") or "").lower()
    return Incoming(openid=data.get("FromUserName") or "", type=(data.get("MsgType") or "").lower(),
                    content=data.get("Content") or "",
                    event="subscribe" if event == "subscribe_scan" else event,  # wechatpy's name for a scan
                    event_key=data.get("EventKey") or "", xml=xml, media_id=data.get("MediaId") or "",
                    filename=data.get("Title") or data.get("FileName") or "",
                    receipt=(str(data.get("MsgID") or ""), data.get("Status") or ""))


# One round trip, one command: is this message new (SET NX), has its sender been seen this hour
# (SET NX), and what did the last answer leave for this one (GET). Three commands in a pipeline
# cost the client twice as much Python as this.
CLAIM = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return {0, 0, false} end
local active = ARGV[3] == '1' and redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2])
return {1, active and 1 or 0, redis.call('GET', KEYS[3])}
"""


async def _read_body(request: web.Request) -> bytes:
    """Up to one byte past the limit, however many segments it arrives in."""
    body = b""
    while len(body) <= MAX_BODY:
        chunk = await request.content.read(MAX_BODY + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return body


async def _claim(request: web.Request, message, incoming: Incoming, user_acted: bool) -> tuple[str, list]:
    # events have no MsgId: sender + time (WeChat's advice) + which event, so two different
    # clicks in one second are both answered
    identity = message.id or ":".join((incoming.openid, str(int(message.create_time.timestamp())), incoming.event,
                                       incoming.event_key))
    scripts = request.config_dict[RESOURCES]
    if "claim" not in scripts:  # registered once per process: later calls send only its digest
        scripts["claim"] = request.config_dict[redis_key].register_script(CLAIM)
    keys = [f"bot:seen:{identity}", f"bot:active:{incoming.openid}", f"bot:state:{incoming.openid}"]
    return keys[0], await scripts["claim"](keys=keys, args=[SEEN_TTL, ACTIVE_TTL, int(user_acted)])


async def _remember(redis, openid: str, before: dict, after: dict | None, ttl: int) -> None:
    if after:
        await redis.set(f"bot:state:{openid}", json.dumps(after), ex=ttl)
    elif before:
        await redis.delete(f"bot:state:{openid}")


CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.S)


def _no_dtd(xml: str) -> None:
    """The decrypted message came from WeChat (its AES key and signature say so) and is text
    already: a DTD or an entity declaration would need ``<!`` outside CDATA (where a user may
    well type it), so looking for that is enough, without a second full parse."""
    if "<!" in CDATA.sub("", xml):
        log.warning("bot request refused", extra={"reason": "hostile xml"})
        raise web.HTTPBadRequest(text="DTDs and entities are not accepted")


def _safe_xml(data: bytes):
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        log.warning("bot request refused", extra={"reason": "hostile xml"})
        raise web.HTTPBadRequest(text="DTDs and entities are not accepted") from None
    except Exception:
        log.warning("bot request refused", extra={"reason": "malformed xml"})
        raise web.HTTPBadRequest(text="malformed XML") from None
