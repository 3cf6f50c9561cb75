"""What someone who captured one signed request to the official-account endpoint can do with it:
with an AES key, write nothing in anyone's name; in any mode, have nothing answered twice."""

from __future__ import annotations

import uuid

import pytest

from storage.models import Follower
from tests.support import fake_wechat
from tests.support import wechat_messages as wx
from tests.support.apps import drain_jobs, start_app
from tests.support.people import Person, wechat_env
from tests.support.staff_api import StaffApi
from tests.support.time_passes import time_passes


async def victim_with_a_case(running, client) -> tuple[Person, str]:
    """A follower WeChat has already said who they are, with a case under way: (them, its number)."""
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:8]}", "clerk")
    victim = await Person.login(client)
    case = await clerk.post(f"/applications/{await victim.submitted_case(running)}/accept")
    await victim.says(client, "你好")
    await drain_jobs(running.app)
    return victim, case["number"]


def forged(what: str, openid: str) -> str:
    return wx.text_xml("进度", sender=openid) if what == "进度" else wx.event_xml("unsubscribe", sender=openid)


async def nothing_happened_to(running, wechat, victim: Person, texts_before: int) -> None:
    await drain_jobs(running.app)
    assert len(fake_wechat.texts_to(wechat.app, victim.follower_openid)) == texts_before
    assert (await Follower.get(openid=victim.follower_openid)).subscribed


@pytest.mark.parametrize("what", ["进度", "unsubscribe"])
async def test_safe_mode_believes_no_plaintext(wired, wechat, what):
    running, client = wired  # an AES key and nothing else said: safe mode
    victim, number = await victim_with_a_case(running, client)
    texts_before = len(fake_wechat.texts_to(wechat.app, victim.follower_openid))
    xml = forged(what, victim.follower_openid)
    own_words_encrypted, query = wx.safe_mode(wx.text_xml("你好", sender="oa-attacker"))
    attempts = [
        (wx.url(wx.signed_query()), xml),  # the captured URL, a body of one's own
        (wx.url(wx.signed_query(encrypt_type="aes", msg_signature="0" * 40)), xml),
        # a genuine ciphertext (one's own message) with the victim's plaintext beside it
        (wx.url(query), xml.replace("</xml>", own_words_encrypted[own_words_encrypted.index("<Encrypt>"):])),
    ]
    for address, body in attempts:
        response = await client.post(address, data=body)
        answer = await response.text()
        assert response.status == 403 and number not in answer and "<Content>" not in answer
    await nothing_happened_to(running, wechat, victim, texts_before)


@pytest.mark.parametrize("what", ["进度", "unsubscribe"])
async def test_compatible_mode_is_asked_for_and_reads_only_the_encrypted_copy(
        aiohttp_server, aiohttp_client, tmp_path, wechat, database_url, redis_url, what):
    running = await start_app(aiohttp_server, tmp_path, database_url=database_url, redis_url=redis_url,
                              oa_message_mode="compatible", **wechat_env(wechat))
    client = await aiohttp_client(running.server)
    victim, number = await victim_with_a_case(running, client)
    texts_before = len(fake_wechat.texts_to(wechat.app, victim.follower_openid))
    genuine = wx.opened(await (await wx.WeChatServer(client).post(wx.text_xml("开公司"))).text())
    assert "企业开办" in genuine.content  # answered, encrypted (opened checks its signature)

    plaintext_only = await client.post(wx.url(wx.signed_query()), data=forged(what, victim.follower_openid))
    assert plaintext_only.status == 403 and number not in await plaintext_only.text()
    body, query = wx.compatible_mode(forged(what, victim.follower_openid),
                                     encrypted=wx.text_xml("你好", sender="oa-attacker"))
    answer = wx.opened(await (await client.post(wx.url(query), data=body)).text())
    assert answer.target == "oa-attacker" and number not in answer.content  # the sender the ciphertext names
    await nothing_happened_to(running, wechat, victim, texts_before)


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("message", [wx.text_xml("开公司", msg_id=424242), wx.event_xml("subscribe")],
                         ids=["text", "event"])
@pytest.mark.parametrize("seconds", [62, 299])
async def test_a_captured_request_replayed_while_fresh_is_not_answered_again(
        aiohttp_server, aiohttp_client, tmp_path, wechat, redis_url, mode, message, seconds):
    env = wechat_env(wechat)
    if mode == "plain":
        del env["oa_aes_key"]
    running = await start_app(aiohttp_server, tmp_path, redis_url=redis_url, **env)
    client = await aiohttp_client(running.server)
    address, body = wx.WeChatServer(client).request(message)
    assert wx.opened(await (await client.post(address, data=body)).text()) is not None  # answered

    await time_passes(running.app, seconds)  # still within the 300 s a timestamp is accepted for
    replay = await client.post(address, data=body)
    assert (replay.status, await replay.text()) == (200, "success")
    await time_passes(running.app, 301 - seconds)
    assert (await client.post(address, data=body)).status == 403  # and then it is stale
