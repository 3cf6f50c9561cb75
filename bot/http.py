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
import time

from aiohttp import web
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from onething.jobs import jobs_key
from onething.keys import redis_key, settings_key
from onething.services.case_store import utcnow

from .conversation import Conversation, Incoming

log = logging.getLogger("onething.bot")
MAX_BODY = 64 * 1024  # WeChat's messages are a few hundred bytes
MAX_SKEW = 300  # seconds between WeChat's timestamp and ours
SEEN_TTL = 60  # WeChat retries three times, 5 seconds apart
SANDBOX_TOKEN = "sandbox"
# A follower's last message is written to the database at most hourly: WeChat's 48-hour window
# is then judged closed up to an hour early, never late.
ACTIVE_TTL = 3600
STATE_TTL = 600  # a conversation (a list to pick from) waits ten minutes for its answer


def _token(request: web.Request) -> str:
    account = request.config_dict[settings_key].official_account
    return account.token if account else SANDBOX_TOKEN


def _crypto(request: web.Request) -> WeChatCrypto | None:
    account = request.config_dict[settings_key].official_account
    if account is None or account.aes_key is None:
        return None
    return WeChatCrypto(account.token, account.aes_key, account.appid)


def _check_signature(request: web.Request) -> tuple[str, str]:
    query = request.query
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    expected = hashlib.sha1("".join(sorted([_token(request), timestamp, nonce])).encode()).hexdigest()
    if not hmac.compare_digest(expected, query.get("signature", "")):
        log.warning("bot request refused", extra={"reason": "signature"})
        raise web.HTTPForbidden(text="invalid signature")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW:
        log.warning("bot request refused", extra={"reason": "stale timestamp"})
        raise web.HTTPForbidden(text="stale timestamp")
    return timestamp, nonce


async def verify(request: web.Request) -> web.Response:
    """WeChat's URL check when the server address is configured: echo ``echostr`` back."""
    _check_signature(request)
    return web.Response(text=request.query.get("echostr", ""))


async def receive(request: web.Request) -> web.Response:
    timestamp, nonce = _check_signature(request)
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    body = await request.content.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    _safe_xml(body)
    crypto = _crypto(request) if request.query.get("encrypt_type") == "aes" else None
    xml = body.decode("utf-8", "replace")
    if crypto is not None:
        try:
            xml = crypto.decrypt_message(xml, request.query.get("msg_signature", ""), timestamp, nonce)
        except InvalidSignatureException:
            log.warning("bot request refused", extra={"reason": "msg_signature"})
            raise web.HTTPForbidden(text="invalid msg_signature") from None
        except Exception:  # bad base64, padding or appid: not a message from WeChat
            log.warning("bot request refused", extra={"reason": "undecryptable"})
            raise web.HTTPBadRequest(text="undecryptable message") from None
        _safe_xml(xml.encode())
    message = parse_message(xml)
    incoming = _incoming(message, xml)
    first, newly_active, state = await _claim(request.config_dict[redis_key], message, incoming)
    if not first:
        return web.Response(text="success")  # a retry of a message already answered
    incoming.state = json.loads(state) if state else {}
    conversation = Conversation(request.config_dict, incoming.openid, now=utcnow(),
                                touch=bool(newly_active) or incoming.event == "subscribe")
    answer = await conversation.answer(incoming)
    await _remember(request.config_dict[redis_key], incoming.openid, incoming.state, answer.state)
    for job, kwargs in [*answer.later, *await conversation.follow_ups()]:
        await request.config_dict[jobs_key].enqueue(job, **kwargs)
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
                    event_key=data.get("EventKey") or "", xml=xml)


async def _claim(redis, message, incoming: Incoming) -> list:
    """One round trip: is this message new, has this follower been seen this hour, what was said."""
    # events have no MsgId: sender + time (WeChat's advice) + which event, so two different
    # clicks in one second are both answered
    identity = message.id or ":".join((incoming.openid, str(int(message.create_time.timestamp())), incoming.event,
                                       incoming.event_key))
    async with redis.pipeline(transaction=False) as pipe:
        pipe.set(f"bot:seen:{identity}", b"1", nx=True, ex=SEEN_TTL)
        pipe.set(f"bot:active:{incoming.openid}", b"1", nx=True, ex=ACTIVE_TTL)
        pipe.get(f"bot:state:{incoming.openid}")
        return await pipe.execute()


async def _remember(redis, openid: str, before: dict, after: dict | None) -> None:
    if after:
        await redis.set(f"bot:state:{openid}", json.dumps(after), ex=STATE_TTL)
    elif before:
        await redis.delete(f"bot:state:{openid}")


def _safe_xml(data: bytes) -> None:
    try:
        fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        log.warning("bot request refused", extra={"reason": "hostile xml"})
        raise web.HTTPBadRequest(text="DTDs and entities are not accepted") from None
    except Exception:
        log.warning("bot request refused", extra={"reason": "malformed xml"})
        raise web.HTTPBadRequest(text="malformed XML") from None
