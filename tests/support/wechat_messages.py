"""Messages built exactly as WeChat builds them (wechatpy's own signing and crypto)."""

from __future__ import annotations

import hashlib
import time
import uuid
from urllib.parse import urlencode
from xml.etree import ElementTree

from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from onething.keys import settings_key, workflow_key
from tests.support.cases import MONDAY

TOKEN = "oa-token-for-tests"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx-test-official-account"


def text_xml(content: str, *, sender: str = "o-citizen", msg_id: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id or uuid.uuid4().int % 10**18}</MsgId></xml>")


def event_xml(event: str, *, sender: str = "o-citizen", key: str = "", created: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{created or int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>")


def signed_query(token: str = TOKEN, *, timestamp: int | str | None = None, **extra: str) -> dict[str, str]:
    """Signed at ``timestamp``; by default when a test app's clock starts (its requests are fresh
    there until the test moves the clock: then :class:`WeChatServer` signs at the app's time)."""
    timestamp_text, nonce = str(timestamp or int(MONDAY.timestamp())), uuid.uuid4().hex[:10]
    signature = hashlib.sha1("".join(sorted([token, timestamp_text, nonce])).encode()).hexdigest()
    return {"signature": signature, "timestamp": timestamp_text, "nonce": nonce, **extra}


def crypto() -> WeChatCrypto:
    return WeChatCrypto(TOKEN, AES_KEY, APPID)


def safe_mode(xml: str, *, timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """Encrypt as WeChat does in safe mode: the body and the query with its msg_signature."""
    query = signed_query(timestamp=timestamp, encrypt_type="aes")
    encrypted = crypto().encrypt_message(xml, query["nonce"], query["timestamp"])
    query["msg_signature"] = ElementTree.fromstring(encrypted).findtext("MsgSignature")
    body = (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName>"
            f"<Encrypt><![CDATA[{ElementTree.fromstring(encrypted).findtext('Encrypt')}]]></Encrypt></xml>")
    return body, query


def url(query: dict[str, str]) -> str:
    return "/bot/wechat?" + urlencode(query)


def compatible_mode(xml: str, *, encrypted: str | None = None,
                    timestamp: int | None = None) -> tuple[str, dict[str, str]]:
    """Compatible mode: the plaintext fields and the encrypted copy (of ``encrypted``, by default
    the same message) side by side in one body."""
    body, query = safe_mode(encrypted or xml, timestamp=timestamp)
    return xml.replace("</xml>", body[body.index("<Encrypt>"):body.index("</xml>")] + "</xml>"), query


def consent_event_xml(event: str, choices: dict[str, str], *, sender: str = "o-citizen") -> str:
    """subscribe_msg_popup_event / subscribe_msg_change_event, as the official account receives them."""
    wrapper = {"subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
               "subscribe_msg_change_event": "SubscribeMsgChangeEvent"}[event]
    entries = "".join(
        f"<List><TemplateId><![CDATA[{template}]]></TemplateId>"
        f"<SubscribeStatusString><![CDATA[{status}]]></SubscribeStatusString><PopupScene>2</PopupScene></List>"
        for template, status in choices.items())
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event><{wrapper}>{entries}</{wrapper}></xml>")


def image_xml(media_id: str, *, sender: str = "o-citizen", msg_id: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[image]]></MsgType>"
            f"<PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[{media_id}]]></MediaId>"
            f"<MsgId>{msg_id or uuid.uuid4().int % 10**18}</MsgId></xml>")


def template_receipt_xml(msgid: str, status: str, *, sender: str = "o-citizen") -> str:
    """TEMPLATESENDJOBFINISH: WeChat's receipt for a template message, a few seconds after it."""
    return (f"<xml><ToUserName><![CDATA[gh_onething]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event><MsgID>{msgid}</MsgID>"
            f"<Status><![CDATA[{status}]]></Status></xml>")


def opened(reply: str):
    """The message in a reply, decrypted (and its signature checked) when it is encrypted; None for
    WeChat's "success" (nothing to say)."""
    if reply == "success":
        return None
    tree = ElementTree.fromstring(reply)
    if tree.find("Encrypt") is not None:
        reply = crypto().decrypt_message(reply, tree.findtext("MsgSignature"), tree.findtext("TimeStamp"),
                                         tree.findtext("Nonce"))  # raises if the signature does not verify
    return parse_message(reply)


class WeChatServer:
    """WeChat's servers posting a follower's messages to the app behind ``client``: signed at the
    app's own clock, encrypted when the app's official account is in safe or compatible mode."""

    def __init__(self, client, *, token: str = TOKEN):
        self.client, self.token = client, token

    @property
    def app(self):
        return self.client.server.app

    def now(self) -> int:
        return int(self.app[workflow_key].clock().timestamp())

    def request(self, xml: str, mode: str | None = None) -> tuple[str, str]:
        """The URL and body WeChat posts for ``xml`` now, in ``mode`` (by default the app's own)."""
        account = self.app[settings_key].official_account
        mode = mode or (account.message_mode if account else "plain")
        if mode == "plain":
            return url(signed_query(self.token, timestamp=self.now())), xml
        body, query = (safe_mode if mode == "safe" else compatible_mode)(xml, timestamp=self.now())
        return url(query), body

    async def post(self, xml: str, mode: str | None = None):
        address, body = self.request(xml, mode)
        return await self.client.post(address, data=body)
