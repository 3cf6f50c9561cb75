"""The official-account endpoint as WeChat calls it: plaintext and safe mode, retries, hostile bodies."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import wechat_messages as wx
from tests.conftest import REDIS_URL
from tests.support.apps import start_app
from tests.support.cases import MONDAY
from tests.support.people import wechat_env


@pytest.fixture
async def bot(aiohttp_server, aiohttp_client, tmp_path, redis_url, wechat):
    """The app in safe mode (an AES key and nothing else said), as the official account runs it."""
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, **wechat_env(wechat))
    return await aiohttp_client(running.server)


@pytest.fixture
async def plain_bot(aiohttp_server, aiohttp_client, tmp_path, wechat):
    env = {k: v for k, v in wechat_env(wechat).items() if k != "oa_aes_key"}
    return await aiohttp_client((await start_app(aiohttp_server, tmp_path, **env)).server)


async def test_url_verification_echoes_only_with_a_valid_signature(bot):
    ok = await bot.get(wx.url(wx.signed_query(echostr="hello-wechat")))
    assert ok.status == 200 and await ok.text() == "hello-wechat"
    forged = await bot.get(wx.url(wx.signed_query("wrong-token", echostr="x")))
    assert forged.status == 403


async def test_a_plain_question_gets_the_notice_in_plaintext_mode(plain_bot):
    response = await wx.WeChatServer(plain_bot).post(wx.text_xml("开公司需要什么材料？"))
    reply = wx.opened(await response.text())
    assert response.status == 200 and "企业开办" in reply.content and "需要准备" in reply.content
    assert "<Encrypt>" not in await response.text()


async def test_safe_mode_replies_are_encrypted_and_signed(bot):
    body, query = wx.safe_mode(wx.text_xml("我想开个饭店"))
    response = await bot.post(wx.url(query), data=body)
    assert response.status == 200 and "<Encrypt>" in await response.text()
    answer = wx.opened(await response.text()).content  # raises if the signature does not verify
    assert "开办餐饮店" in answer and "需要准备" in answer


async def test_a_question_as_people_ask_it_links_into_the_mini_program(bot):
    from tests.support import fake_wechat

    answer = wx.opened(await (await wx.WeChatServer(bot).post(wx.text_xml("孩子出生了要办什么"))).text()).content
    assert "新生儿出生一件事" in answer and "需要准备" in answer
    assert f'data-miniprogram-appid="{fake_wechat.APPID}"' in answer
    assert 'data-miniprogram-path="pages/thing/index?code=newborn"' in answer and "http" not in answer


async def test_subscribing_gets_a_welcome_and_nonsense_gets_the_choices(bot):
    wechat = wx.WeChatServer(bot)
    welcome = wx.opened(await (await wechat.post(wx.event_xml("subscribe"))).text())
    assert "欢迎关注" in welcome.content
    unknown = wx.opened(await (await wechat.post(wx.text_xml("今天天气如何"))).text())
    assert "抱歉" in unknown.content and "企业开办" in unknown.content


async def test_a_retried_message_is_answered_once(bot):
    wechat, xml = wx.WeChatServer(bot), wx.text_xml("开公司", msg_id=987654321)
    first = await wechat.post(xml)
    retry = await wechat.post(xml)  # WeChat's retry: a new timestamp and nonce, the same MsgId
    assert "企业开办" in wx.opened(await first.text()).content
    assert await retry.text() == "success"


@pytest.mark.parametrize("redis_url", ["redis"] if REDIS_URL else [], indirect=True)
async def test_two_app_processes_answer_a_retry_once(aiohttp_server, aiohttp_client, tmp_path, redis_url, wechat):
    # Two apps on one Redis, as two processes behind one port: WeChat's retry may reach either.
    env = wechat_env(wechat)
    first = await aiohttp_client((await start_app(aiohttp_server, tmp_path / "a", redis_url=redis_url, **env)).server)
    second = await aiohttp_client((await start_app(aiohttp_server, tmp_path / "b", redis_url=redis_url, **env)).server)
    xml = wx.text_xml("开公司", msg_id=123123123)
    answers = [await (await wx.WeChatServer(c).post(xml)).text() for c in (first, second)]
    assert sum(a != "success" for a in answers) == 1


@pytest.mark.parametrize("query", [
    wx.signed_query("wrong-token"),
    wx.signed_query(timestamp=int(MONDAY.timestamp()) - 301),
    wx.signed_query(timestamp=int(MONDAY.timestamp()) + 301),
    wx.signed_query(timestamp="١٧٧٢٤١٦٨٠٠"),  # digits to str.isdigit and int(), but not WeChat's
])
async def test_bad_signatures_and_stale_timestamps_are_refused(plain_bot, query):
    response = await plain_bot.post(wx.url(query), data=wx.text_xml("开公司"))
    assert response.status == 403


async def test_a_stale_safe_mode_message_is_refused(bot):
    body, query = wx.safe_mode(wx.text_xml("开公司"), timestamp=int(MONDAY.timestamp()) - 301)
    assert (await bot.post(wx.url(query), data=body)).status == 403


@pytest.mark.parametrize("body", [
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Content>&lol2;</Content></xml>',
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
    "<xml><Content>unclosed",
    # a DTD the bytes do not show as "<!": UTF-16 with its byte-order mark
    '\ufeff<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'.encode("utf-16"),
    # a DTD between two processing instructions that read like the start and end of a CDATA section
    '<?x <![CDATA[?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml><?y ]]>?>',
    "<xml><Content>x</Content></xml><!DOCTYPE x>",  # a DTD after the root is no DTD: malformed
])
async def test_hostile_or_malformed_xml_is_refused(bot, plain_bot, body):
    for client in (bot, plain_bot):
        response = await client.post(wx.url(wx.signed_query()), data=body)
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
