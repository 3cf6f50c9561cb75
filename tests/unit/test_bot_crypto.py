"""The bot's crypto is wechatpy's: what it seals, wechatpy opens (and the reverse), in the
envelope wechatpy writes; its reply is wechatpy's TextReply."""

from __future__ import annotations

import random
import time
from xml.etree import ElementTree

import pytest
from aiohttp import web
from wechatpy import create_reply
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

from bot import envelope, http
from tests.support import wechat_messages as wx

REPLY = "<xml><Content><![CDATA[开公司需要：营业执照 <&>]]></Content></xml>"


def test_what_it_seals_wechatpy_opens_with_its_signature():
    sealed = envelope.Crypto(wx.TOKEN, wx.AES_KEY, wx.APPID).seal(REPLY, "nonce-1", "1700000000")
    tree = ElementTree.fromstring(sealed)
    assert WeChatCrypto(wx.TOKEN, wx.AES_KEY, wx.APPID).decrypt_message(
        sealed, tree.findtext("MsgSignature"), "1700000000", "nonce-1") == REPLY
    assert tree.findtext("TimeStamp") == "1700000000" and tree.findtext("Nonce") == "nonce-1"


def test_its_envelope_is_wechatpys_byte_for_byte_but_for_the_random_prefix(monkeypatch):
    ours = envelope.Crypto(wx.TOKEN, wx.AES_KEY, wx.APPID)
    monkeypatch.setattr(envelope.tokens, "token_hex", lambda n: "k" * (2 * n))  # a fixed prefix
    monkeypatch.setattr(random, "sample", lambda population, k: ["k"] * k)  # wechatpy's, the same
    assert ours.seal(REPLY, "n", "1") == WeChatCrypto(wx.TOKEN, wx.AES_KEY, wx.APPID).encrypt_message(REPLY, "n", "1")


def test_each_reply_has_its_own_random_prefix():
    ours = envelope.Crypto(wx.TOKEN, wx.AES_KEY, wx.APPID)
    assert ours.seal(REPLY, "n", "1") != ours.seal(REPLY, "n", "1")


def test_it_opens_what_wechatpy_seals_and_refuses_another_appid():
    sealed = ElementTree.fromstring(WeChatCrypto(wx.TOKEN, wx.AES_KEY, wx.APPID).encrypt_message(REPLY, "n", "1"))
    assert envelope.Crypto(wx.TOKEN, wx.AES_KEY, wx.APPID).open(sealed.findtext("Encrypt")) == REPLY
    with pytest.raises(InvalidAppIdException):
        envelope.Crypto(wx.TOKEN, wx.AES_KEY, "wx-another-app").open(sealed.findtext("Encrypt"))


@pytest.mark.parametrize("text", ["答：<&>", "多行\n回复 ]]> 与 {} 花括号"])  # (no empty answer is sent: "success" is)
def test_the_reply_is_wechatpys_create_reply_byte_for_byte(monkeypatch, text):
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.7)  # wechatpy reads the clock itself
    message = envelope.parsed(wx.text_xml("开公司", sender="oa-someone", msg_id=10**12))
    assert http._reply(text, message) == create_reply(text, message, render=True)
    assert "<ToUserName><![CDATA[oa-someone]]></ToUserName>" in http._reply(text, message)


def test_a_body_of_unclosed_cdata_openings_is_refused_at_once():
    """The envelope's check reads its first bytes only: a 64 KB body that a search for "<!" outside
    CDATA took seconds over (the event loop blocked for every other message) is refused at once."""
    body = b"<![CDATA[" * 7281
    started = time.process_time()
    with pytest.raises(web.HTTPBadRequest):
        envelope._safe_xml(body)
    with pytest.raises(web.HTTPBadRequest):
        envelope._safe_xml(b"<xml>" + body)  # malformed: expat reads it once, to its end
    assert time.process_time() - started < 0.2


def test_the_reply_to_a_message_without_our_account_name_is_still_wechatpys(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    message = envelope.parsed(wx.text_xml("开公司", sender="oa-someone", msg_id=10**12).replace(
        "<ToUserName><![CDATA[gh_onething]]></ToUserName>", ""))
    assert http._reply("答", message) == create_reply("答", message, render=True)
