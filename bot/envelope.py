"""What proves a request to ``/bot/wechat`` came from WeChat, and the message inside it.

WeChat signs every request's query with the account token, but that signature does not cover
the body: with an AES key (safe mode, or compatible mode when asked for) only the encrypted
message, under its own signature, is read, and a body without one is refused. The body is
small, and its XML has no DTD (no entity expansion, no external entities).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from aiohttp import web
from xml.etree import ElementTree

from wechatpy import parse_message
from wechatpy.messages import TextMessage
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from onething import tokens
from onething.keys import settings_key, workflow_key

from .resources import RESOURCES

log = logging.getLogger("onething.bot")
MAX_BODY = 64 * 1024  # WeChat's messages are a few hundred bytes
MAX_SKEW = 300  # seconds between WeChat's timestamp and ours
SANDBOX_TOKEN = "sandbox"
# What every message WeChat writes has, and the fields the bot reads: each a text, never nested.
_TEXTS = ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey", "Content", "MediaId",
          "Title", "FileName", "MsgId", "MsgID", "Status")
_SECONDS = re.compile(r"[0-9]{1,10}", re.ASCII)  # Unix seconds: until the year 2286
_MSG_ID = re.compile(r"[0-9]{1,20}", re.ASCII)


def _token(config) -> str:
    settings = config[settings_key]
    if settings.official_account is not None:
        return settings.official_account.token
    if not settings.wechat_sandbox:  # the mini-program is real: a publicly known token must not work
        raise web.HTTPNotFound()
    return SANDBOX_TOKEN


class _PrpCrypto(PrpCrypto):
    """wechatpy's PrpCrypto, whose 16 characters before each reply (WeChat's protocol: random,
    then the length, the message, the appid) come from the OS's CSPRNG (``onething.tokens``)
    instead of ``random.sample`` over letters and digits: unpredictable, and a fraction of the CPU
    (16 hex digits; WeChat only skips them)."""

    def get_random_string(self) -> str:
        return tokens.token_hex(8)


class Crypto:
    """wechatpy's message crypto for one account, made once per process: its ``PrpCrypto`` (the
    AES key derived by ``WeChatCrypto``, AES-CBC, PKCS#7, the appid inside) opens and seals every
    message. ``WeChatCrypto.decrypt_message`` and ``encrypt_message`` build a new ``PrpCrypto``
    (and its cipher) for each call, and the first checks the signature again, with ``!=``, after
    :func:`_opened` has checked it in constant time: these call the same ``PrpCrypto`` directly."""

    # wechatpy's reply envelope (WeChatCrypto._encrypt_message), byte for byte
    SEALED = ("<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
              "<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>")

    def __init__(self, token: str, aes_key: str, appid: str):
        self.wechat = WeChatCrypto(token, aes_key, appid)
        self.token, self.appid = token, appid
        self._prp = _PrpCrypto(self.wechat.key)

    def open(self, encrypted: str) -> str:
        """The message inside; raises on bad base64, padding or another appid. The signature
        must have been checked already."""
        return self._prp.decrypt(encrypted, self.appid)

    def seal(self, xml: str, nonce: str, timestamp: str) -> str:
        """``WeChatCrypto.encrypt_message(xml, nonce, timestamp)``, with the cipher made once."""
        encrypted = self._prp.encrypt(xml, self.appid).decode()
        signature = hashlib.sha1("".join(sorted((self.token, timestamp, nonce, encrypted))).encode()).hexdigest()
        return self.SEALED.format(encrypt=encrypted, signature=signature, timestamp=timestamp, nonce=nonce)


def _crypto(config) -> Crypto | None:
    """None in plaintext mode; else what opens (and seals) every message."""
    account = config[settings_key].official_account
    if account is None or account.message_mode == "plain":
        return None
    cache = config[RESOURCES]  # one per process: it derives the AES key once
    if "crypto" not in cache:
        cache["crypto"] = Crypto(account.token, account.aes_key, account.appid)
    return cache["crypto"]


def check_query(request: web.Request, config=None) -> tuple[str, str]:
    """The query's timestamp and nonce, once its signature checks out and it is fresh. ``config``
    is ``request.config_dict`` (a new mapping each time it is read: pass the one already read)."""
    config = request.config_dict if config is None else config
    query = request.query
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not _signed(query.get("signature", ""), _token(config), timestamp, nonce):
        log.warning("bot request refused", extra={"reason": "signature"})
        raise web.HTTPForbidden(text="invalid signature")
    now = config[workflow_key].clock().timestamp()  # the service's clock: tests fix it
    if not timestamp.isascii() or not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW:
        log.warning("bot request refused", extra={"reason": "stale timestamp"})
        raise web.HTTPForbidden(text="stale timestamp")
    return timestamp, nonce


def _signed(signature: str, *parts: str) -> bool:
    """WeChat's signature: SHA-1 of the sorted parts, compared in constant time."""
    expected = hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode())  # str would raise on non-ASCII


async def message(request: web.Request, config, timestamp: str, nonce: str) -> tuple[str, Crypto | None]:
    """The message's XML as WeChat wrote it, and the crypto its reply is sealed with (None in
    plaintext mode). ``config`` is the request's ``config_dict``."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=request.content_length)
    body = await _read_body(request)
    if len(body) > MAX_BODY:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_BODY, actual_size=len(body))
    envelope = _safe_xml(body)
    crypto = _crypto(config)
    if crypto is None:
        if request.query.get("encrypt_type", "raw") != "raw":
            # WeChat encrypts only when told our AES key: the account's settings here lack it
            log.warning("bot request refused", extra={"reason": "encrypted, but no AES key configured"})
            raise web.HTTPBadRequest(text="encrypted messages need ONETHING_OA_AES_KEY")
        return body.decode("utf-8", "replace"), None
    return _opened(request, config, crypto, envelope, timestamp, nonce), crypto


async def _read_body(request: web.Request) -> bytes:
    """Up to one byte past the limit, however many segments it arrives in."""
    body = await request.content.read(MAX_BODY + 1)
    while len(body) <= MAX_BODY and not request.content.at_eof():  # (a whole body is there already)
        chunk = await request.content.read(MAX_BODY + 1 - len(body))
        if not chunk:
            break
        body += chunk
    return body


def _opened(request: web.Request, config, crypto: Crypto, envelope, timestamp: str, nonce: str) -> str:
    """The encrypted message, checked and decrypted: nothing outside ``Encrypt`` is read."""
    encrypted = envelope.findtext("Encrypt") or ""
    if not encrypted:
        log.warning("bot request refused", extra={"reason": "plaintext"})
        raise web.HTTPForbidden(text="encrypted messages only")
    mode = config[settings_key].official_account.message_mode
    if mode == "safe" and (envelope.find("MsgType") is not None or envelope.find("FromUserName") is not None):
        # WeChat's compatible mode, or someone's own words beside a captured ciphertext
        log.warning("bot request refused", extra={"reason": "plaintext beside ciphertext"})
        raise web.HTTPForbidden(text="encrypted messages only")
    # checked here in constant time (wechatpy compares with !=), from the envelope parsed above
    signature = request.query.get("msg_signature", "")
    if not _signed(signature, crypto.token, timestamp, nonce, encrypted):
        log.warning("bot request refused", extra={"reason": "msg_signature"})
        raise web.HTTPForbidden(text="invalid msg_signature")
    try:
        xml = crypto.open(encrypted)
    except Exception:  # bad base64, padding or appid: not a message from WeChat
        log.warning("bot request refused", extra={"reason": "undecryptable"})
        raise web.HTTPBadRequest(text="undecryptable message") from None
    _no_dtd(xml)
    return xml


def _no_dtd(xml: str) -> None:
    """The decrypted message, whose XML WeChat wrote, begins with its root element: a DTD could
    only come before it (expat refuses one after), so that is all there is to check."""
    _rooted(xml.lstrip(" \t\r\n")[:6].encode())


def _safe_xml(data: bytes):
    """The body, parsed, once it begins with WeChat's root element ``<xml>`` (after blanks). A
    DTD, and so any entity but XML's five, could only come before the root (expat refuses one
    after it), and without a byte-order mark or a declaration the body is UTF-8: expat switches
    to no other encoding in which ``<!`` would not show. A constant-time check, where scanning
    for ``<!`` outside CDATA cost seconds on a body of unclosed CDATA openings. defusedxml
    refused the same, building a parser in Python for every request at twice the cost."""
    _rooted(data.lstrip(b" \t\r\n")[:6])
    try:
        return ElementTree.XML(data)
    except Exception:
        log.warning("bot request refused", extra={"reason": "malformed xml"})
        raise web.HTTPBadRequest(text="malformed XML") from None


def _rooted(head: bytes) -> None:
    """Refuse a body whose first bytes (blanks skipped) are not WeChat's ``<xml>``: another element
    is not WeChat's message; anything else (a declaration, a DTD, a byte-order mark) is refused
    as hostile."""
    if head.startswith(b"<xml>"):
        return
    if head[:1] == b"<" and head[1:2].isalpha():
        log.warning("bot request refused", extra={"reason": "not a WeChat message"})
        raise web.HTTPBadRequest(text="not a WeChat message")
    log.warning("bot request refused", extra={"reason": "hostile xml"})
    raise web.HTTPBadRequest(text="DTDs and entities are not accepted")


def _text_message(xml: str) -> TextMessage | None:
    """A plain text message (most of what the bot gets), read with ElementTree: wechatpy's own
    parse (xmltodict) was a fifth of the bot's CPU per message under load. The same message
    object; anything else (events, media, nested or repeated fields, a DTD) is left to wechatpy."""
    if "<!D" in xml or "<!E" in xml:
        return None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return None
    if root.tag != "xml":
        return None
    fields = {}
    for child in root:
        if len(child):  # nested
            return None
        fields[child.tag] = (child.text or "").strip() or None
    if len(fields) != len(root) or (fields.get("MsgType") or "").lower() != "text":  # repeated, or not text
        return None
    return TextMessage(fields)


def parsed(xml: str):
    """The message, as wechatpy reads it, once it is one WeChat could have written: a sender, a
    kind (an event says which), a time in seconds, each field a text. Anything else is refused
    here rather than failing wherever a field is first read."""
    try:
        message = _text_message(xml)  # each field a text or None, as it reads them
        if message is None:
            message = parse_message(xml)
            texts = all(isinstance(message._data.get(name), (str, type(None))) for name in _TEXTS)
        else:
            texts = True
        data = message._data
        ok = (texts and bool(data.get("FromUserName")) and bool(data.get("MsgType"))
              and bool(_SECONDS.fullmatch(data.get("CreateTime") or ""))
              and bool(_MSG_ID.fullmatch(data.get("MsgId") or "0"))
              and (data["MsgType"].lower() != "event" or bool(data.get("Event"))))
    except Exception:  # not XML of WeChat's shape at all: no root <xml>, no fields
        ok = False
    if not ok:
        log.warning("bot request refused", extra={"reason": "not a WeChat message"})
        raise web.HTTPBadRequest(text="not a WeChat message")
    return message
