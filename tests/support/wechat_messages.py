"""Messages built exactly as WeChat builds them (wechatpy's own signing and crypto)."""

from __future__ import annotations

import hashlib
import time
import uuid
from urllib.parse import urlencode

from wechatpy.crypto import WeChatCrypto

TOKEN = "oa-token-for-tests"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx-test-official-account"


def text_xml(content: str, *, sender: str = "o-citizen", msg_id: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or uuid.uuid4().int % 10**18}</MsgId></xml>")


def event_xml(event: str, *, sender: str = "o-citizen", key: str = "") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>")


def signed_query(token: str = TOKEN, *, timestamp: int | None = None, **extra: str) -> dict[str, str]:
    timestamp_text, nonce = str(timestamp or int(time.time())), uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([token, timestamp_text, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp_text, "nonce": nonce, **extra}


def crypto() -> WeChatCrypto:
    return WeChatCrypto(TOKEN, AES_KEY, APPID)


def safe_mode(xml: str) -> tuple[str, dict[str, str]]:
    """Encrypt as WeChat does in safe mode: the body and the query with its msg_signature."""
    query = signed_query(encrypt_type="aes")
    encrypted = crypto().encrypt_message(xml, query["nonce"], query["timestamp"])
    from xml.etree import ElementTree

    query["msg_signature"] = ElementTree.fromstring(encrypted).findtext("MsgSignature")
    body = (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName>"
            f"<Encrypt><![CDATA[{ElementTree.fromstring(encrypted).findtext('Encrypt')}]]></Encrypt></xml>")
    return body, query


def url(query: dict[str, str]) -> str:
    return "/bot/wechat?" + urlencode(query)
