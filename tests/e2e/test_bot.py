"""The official-account endpoint as WeChat calls it: plaintext and safe mode, retries, hostile bodies."""

from __future__ import annotations

import asyncio
import time

import pytest
from wechatpy import parse_message

from tests.support import wechat_messages as wx
from tests.conftest import REDIS_URL
from tests.support.apps import start_app
from tests.support.people import wechat_env

@pytest.fixture
async def bot(aiohttp_server, aiohttp_client, tmp_path, redis_url, wechat):
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, **wechat_env(wechat))
    return await aiohttp_client(running.server)


async def test_url_verification_echoes_only_with_a_valid_signature(bot):
    ok = await bot.get(wx.url(wx.signed_query(echostr="hello-wechat")))
    assert ok.status == 200 and await ok.text() == "hello-wechat"
    forged = await bot.get(wx.url(wx.signed_query("wrong-token", echostr="x")))
    assert forged.status == 403


async def test_a_plain_question_gets_the_notice_in_plaintext_mode(bot):
    response = await bot.post(wx.url(wx.signed_query()), data=wx.text_xml("开公司需要什么材料？"))
    reply = parse_message(await response.text())
    assert response.status == 200 and "企业开办" in reply.content and "需要准备" in reply.content


async def test_safe_mode_replies_are_encrypted_and_signed(bot):
    body, query = wx.safe_mode(wx.text_xml("我想开个饭店"))
    response = await bot.post(wx.url(query), data=body)
    assert response.status == 200
    encrypted = await response.text()
    from xml.etree import ElementTree

    tree = ElementTree.fromstring(encrypted)
    plain = wx.crypto().decrypt_message(encrypted, tree.findtext("MsgSignature"), tree.findtext("TimeStamp"),
                                        tree.findtext("Nonce"))  # raises if the signature does not verify
    answer = parse_message(plain).content
    assert "开办餐饮店" in answer and "需要准备" in answer


async def test_subscribing_gets_a_welcome_and_nonsense_gets_the_choices(bot):
    welcome = parse_message(await (await bot.post(wx.url(wx.signed_query()), data=wx.event_xml("subscribe"))).text())
    assert "欢迎关注" in welcome.content
    unknown = parse_message(await (await bot.post(wx.url(wx.signed_query()), data=wx.text_xml("今天天气如何"))).text())
    assert "抱歉" in unknown.content and "企业开办" in unknown.content


async def test_a_retried_message_is_answered_once(bot):
    xml = wx.text_xml("开公司", msg_id=987654321)
    first = await bot.post(wx.url(wx.signed_query()), data=xml)
    retry = await bot.post(wx.url(wx.signed_query()), data=xml)
    assert "企业开办" in await first.text()
    assert await retry.text() == "success"


@pytest.mark.parametrize("redis_url", ["redis"] if REDIS_URL else [], indirect=True)
async def test_two_app_processes_answer_a_retry_once(aiohttp_server, aiohttp_client, tmp_path, redis_url, wechat):
    # Two apps on one Redis, as two processes behind one port: WeChat's retry may reach either.
    env = wechat_env(wechat)
    first = await aiohttp_client((await start_app(aiohttp_server, tmp_path / "a", redis_url=redis_url, **env)).server)
    second = await aiohttp_client((await start_app(aiohttp_server, tmp_path / "b", redis_url=redis_url, **env)).server)
    xml = wx.text_xml("开公司", msg_id=123123123)
    answers = [await (await c.post(wx.url(wx.signed_query()), data=xml)).text() for c in (first, second)]
    assert sum(a != "success" for a in answers) == 1


@pytest.mark.parametrize("query", [
    wx.signed_query("wrong-token"),
    wx.signed_query(timestamp=int(time.time()) - 3600),
])
async def test_bad_signatures_and_stale_timestamps_are_refused(bot, query):
    response = await bot.post(wx.url(query), data=wx.text_xml("开公司"))
    assert response.status == 403


@pytest.mark.parametrize("body", [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    "<xml><Content>unclosed",
])
async def test_hostile_or_malformed_xml_is_refused(bot, body):
    response = await bot.post(wx.url(wx.signed_query()), data=body)
    assert response.status == 400


async def test_oversize_bodies_are_refused(bot):
    response = await bot.post(wx.url(wx.signed_query()), data=wx.text_xml("x" * 70_000))
    assert response.status == 413


async def test_a_tampered_safe_mode_body_is_refused(bot):
    body, query = wx.safe_mode(wx.text_xml("开公司"))
    query["msg_signature"] = "0" * 40
    assert (await bot.post(wx.url(query), data=body)).status == 403


async def test_a_body_arriving_in_pieces_is_read_whole(bot):
    body, query = wx.safe_mode(wx.text_xml("开公司需要准备哪些材料，" * 40))  # a long question: several segments

    async def in_pieces():
        for start in range(0, len(body), 500):
            yield body[start:start + 500].encode()
            await asyncio.sleep(0.01)

    response = await bot.post(wx.url(query), data=in_pieces())
    assert response.status == 200 and "MsgSignature" in await response.text()


async def test_a_user_typing_markup_in_safe_mode_is_still_answered(bot):
    body, query = wx.safe_mode(wx.text_xml("<!-- 开公司 -->"))
    assert (await bot.post(wx.url(query), data=body)).status == 200


async def test_a_non_ascii_signature_is_refused_not_an_error(bot):
    query = {**wx.signed_query(), "signature": "签名"}
    assert (await bot.post(wx.url(query), data=wx.text_xml("开公司"))).status == 403
