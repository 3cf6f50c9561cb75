"""The official account's message endpoint, ``/bot/wechat``: verify, decrypt, dedupe, answer.

Nothing is processed before :mod:`bot.envelope` has checked the request came from WeChat.
WeChat retries a message it got no answer to within 5 seconds, so each message is answered
once across all app processes (a Redis key per MsgId, or sender + time for events), and a
captured request replayed while its timestamp is still accepted is a retry too.
"""

from __future__ import annotations

import json
import time

from aiohttp import web

from onething.jobs import jobs_key
from onething.keys import redis_key
from onething.services.case_store import utcnow
from storage.redis import run_script

from . import envelope
from .conversation import Conversation, Incoming
from .resources import RESOURCES

# WeChat retries three times, 5 seconds apart; but a captured request stays fresh from 300 s
# before our clock to 300 s after, so it can come back up to 600 s after we first saw it (and
# the app processes' clocks may differ a little).
SEEN_TTL = 2 * envelope.MAX_SKEW + 60
# Events a user's own action sends: these open WeChat's 48-hour window and mark the follower as
# following; template receipts, unsubscribing and the like do not.
USER_EVENTS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})
# A follower's last message is written to the database at most hourly: WeChat's 48-hour window
# is then judged closed up to an hour early, never late.
ACTIVE_TTL = 3600


async def verify(request: web.Request) -> web.Response:
    """WeChat's URL check when the server address is configured: echo ``echostr`` back."""
    envelope.check_query(request)
    return web.Response(text=request.query.get("echostr", ""))


async def receive(request: web.Request) -> web.Response:
    config = request.config_dict  # read once: each request.config_dict is a new ChainMapProxy
    timestamp, nonce = envelope.check_query(request, config)
    xml, crypto = await envelope.message(request, config, timestamp, nonce)
    message = envelope.parsed(xml)
    incoming = _incoming(message, xml)
    user_acted = incoming.type != "event" or incoming.event in USER_EVENTS
    seen_key, (first, newly_active, state) = await _claim(config, message, incoming, user_acted)
    if not first:
        return web.Response(text="success")  # a retry of a message already answered
    try:
        incoming.state = json.loads(state) if state else {}
        conversation = Conversation(config, incoming.openid, now=utcnow(),
                                    touch=user_acted and (bool(newly_active) or incoming.event == "subscribe"))
        answer = await conversation.answer(incoming)
        if answer.state or incoming.state:  # else there is nothing to keep or to forget
            await _remember(config[redis_key], incoming.openid, incoming.state, answer.state, answer.ttl)
        later = [*answer.later, *await conversation.follow_ups()] if conversation.touch else answer.later
        for job, kwargs in later:
            await config[jobs_key].enqueue(job, **kwargs)
    except Exception:
        # not handled after all: WeChat's retry must be handled, not answered as a duplicate
        await config[redis_key].delete(seen_key)
        raise
    if not answer.text:
        return web.Response(text="success")
    reply = _reply(answer.text, message)
    if crypto is not None:
        reply = crypto.seal(reply, nonce, timestamp)
    return web.Response(text=reply, content_type="application/xml")


# wechatpy's TextReply.render(), byte for byte: its fields in its order, each text as given
TEXT_REPLY = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{}]]></Content>\n"
              "<FromUserName><![CDATA[{}]]></FromUserName>\n<ToUserName><![CDATA[{}]]></ToUserName>\n"
              "<CreateTime>{}</CreateTime>\n</xml>")


def _reply(text: str, message) -> str:
    """``wechatpy.create_reply(text, message, render=True)``: the same ``TextReply``, its two
    names taken from the message's fields as read, filled into its text rather than rendered
    through wechatpy's field descriptors (a tenth of the cost)."""
    data = message._data
    # a name missing from the message is empty in wechatpy's reply (its field's default)
    return TEXT_REPLY.format(text, data.get("ToUserName") or "", data.get("FromUserName") or "", int(time.time()))


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
# cost the client twice as much Python as this. The TTLs are in the script's text: each argument
# sent is encoded by the client for every message.
CLAIM = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', %d) then return {0, 0, false} end
local active = ARGV[1] == '1' and redis.call('SET', KEYS[2], '1', 'NX', 'EX', %d)
return {1, active and 1 or 0, redis.call('GET', KEYS[3])}
""" % (SEEN_TTL, ACTIVE_TTL)


async def _claim(config, message, incoming: Incoming, user_acted: bool) -> tuple[str, list]:
    # events have no MsgId: sender + time (WeChat's advice) + which event, so two different
    # clicks in one second are both answered
    # (the fields as read: envelope.parsed has checked MsgId and CreateTime are digits, as
    # wechatpy's message.id and message.create_time would read them)
    data = message._data
    identity = int(data.get("MsgId") or 0) or ":".join((incoming.openid, str(int(data["CreateTime"])), incoming.event,
                                                        incoming.event_key))
    scripts = config[RESOURCES]
    if "claim" not in scripts:  # registered once per process: later calls send only its digest
        scripts["claim"] = config[redis_key].register_script(CLAIM)
    keys = [f"bot:seen:{identity}", f"bot:active:{incoming.openid}", f"bot:state:{incoming.openid}"]
    return keys[0], await run_script(config[redis_key], scripts["claim"], keys, [b"1" if user_acted else b"0"])


async def _remember(redis, openid: str, before: dict, after: dict | None, ttl: int) -> None:
    if after:
        await redis.set(f"bot:state:{openid}", json.dumps(after), ex=ttl)
    elif before:
        await redis.delete(f"bot:state:{openid}")
