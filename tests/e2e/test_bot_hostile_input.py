"""The official account's endpoint, validly signed (the sandbox token is public), given what WeChat
never writes: refused with a 4xx and logged; what WeChat does write but the bot has nothing to say
to is answered "success", as WeChat expects. Never a 500."""

from __future__ import annotations

import re

import pytest

from bot.envelope import SANDBOX_TOKEN
from tests.support import wechat_messages as wx
from tests.support.apps import start_app


@pytest.fixture
async def sandbox(aiohttp_server, aiohttp_client, tmp_path, database_url, redis_url):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url)
    return await aiohttp_client(running.server)


def signed(**extra: str) -> str:
    return wx.url(wx.signed_query(SANDBOX_TOKEN, **extra))


def created_at(xml: str, value: str) -> str:
    return re.sub(r"<CreateTime>\d+</CreateTime>", f"<CreateTime>{value}</CreateTime>", xml)


NOT_WECHATS = {
    "an empty message": "<xml/>",
    "no MsgType": wx.text_xml("开公司").replace("<MsgType><![CDATA[text]]></MsgType>", ""),
    "no sender": wx.text_xml("开公司").replace("<FromUserName><![CDATA[o-citizen]]></FromUserName>", ""),
    "CreateTime abc": created_at(wx.text_xml("开公司"), "abc"),
    "CreateTime past any calendar": created_at(wx.text_xml("开公司"), "99999999999999999"),
    "CreateTime of an event, abc": created_at(wx.event_xml("subscribe"), "abc"),
    "an event that is none": wx.event_xml("subscribe").replace("<Event><![CDATA[subscribe]]></Event>", ""),
    "a field with elements in it": wx.text_xml("开公司").replace("<![CDATA[开公司]]>", "<b>开公司</b>"),
    "a MsgId not a number": re.sub(r"<MsgId>\d+</MsgId>", "<MsgId>abc</MsgId>", wx.text_xml("开公司")),
    "another root": wx.text_xml("开公司").replace("<xml>", "<message>").replace("</xml>", "</message>"),
}


@pytest.mark.parametrize("body", NOT_WECHATS.values(), ids=NOT_WECHATS.keys())
async def test_a_message_wechat_could_not_have_written_is_refused(sandbox, body, caplog):
    response = await sandbox.post(signed(), data=body)
    assert response.status == 400, await response.text()
    assert any(getattr(r, "reason", None) == "not a WeChat message" for r in caplog.records)


async def test_a_timestamp_in_other_digits_is_refused(sandbox):
    response = await sandbox.post(wx.url(wx.signed_query(SANDBOX_TOKEN, timestamp="²")), data=wx.text_xml("开公司"))
    assert response.status == 403


async def test_an_encrypted_message_without_an_aes_key_configured_is_refused(sandbox, caplog):
    body, _ = wx.safe_mode(wx.text_xml("开公司"))
    with caplog.at_level("WARNING", logger="onething.bot"):
        response = await sandbox.post(signed(encrypt_type="aes", msg_signature="0" * 40), data=body)
    assert response.status == 400  # and the log tells the operator what is missing
    assert any("no AES key" in getattr(r, "reason", "") for r in caplog.records)


@pytest.mark.parametrize("key", ["a:1:签名", "qrscene_a:1:签名", "e:91330000MA2XXXX:签名"])
@pytest.mark.parametrize("event", ["subscribe", "SCAN"])
async def test_a_scene_signed_in_other_letters_binds_nothing_and_is_welcomed(sandbox, key, event):
    response = await sandbox.post(signed(), data=wx.event_xml(event, key=key))
    assert response.status == 200
    welcome = wx.opened(await response.text()).content
    assert "欢迎关注" in welcome and "已关联" not in welcome


async def test_what_the_bot_has_nothing_to_say_to_is_answered_success(sandbox):
    response = await sandbox.post(signed(), data=wx.event_xml("view_miniprogram"))
    assert (response.status, await response.text()) == (200, "success")
