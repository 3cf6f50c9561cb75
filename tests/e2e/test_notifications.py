"""The outbox sender against the local fake WeChat: every case change reaches the applicant once,
on the best channel they allow, through transient failures and refusals."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from onething.keys import notifier_key, wechat_key
from onething.services import sending
from onething.services.case_store import utcnow
from storage.models import Follower, Notification
from tests.support import blips, fake_wechat
from tests.support import wechat_messages as wx
from tests.support.apps import drain_jobs, until_idle
from tests.support.cases import Clock
from tests.support.people import MP_TEMPLATE, OA_TEMPLATE, Person
from tests.support.staff_api import StaffApi


@pytest.fixture
async def service(wired):
    running, client = wired
    clerk = await StaffApi.login(client, f"clerk-{uuid.uuid4().hex[:8]}", "clerk")
    return running, client, clerk


def sent(wechat, channel: str | None = None, to: Person | None = None) -> list[dict]:
    """What reached WeChat (for one person: on PostgreSQL other tests' notifications share the outbox),
    but the confirmation of each submission, which test_a_submission_is_confirmed_at_once checks."""
    return [body for name, body in wechat.app[fake_wechat.SENT] if channel in (None, name)
            and (to is None or body.get("touser") in (to.openid, to.follower_openid))
            and not fake_wechat.is_receipt(body)]


async def send_all(running) -> None:
    await until_idle(running.app[notifier_key].run)


async def accepted_case(running, clerk, person: Person) -> Notification:
    case_id = await person.submitted_case(running)
    await clerk.post(f"/applications/{case_id}/accept")
    return await Notification.get(application_id=case_id, kind="accepted")


async def test_a_consenting_applicant_gets_one_subscribe_message(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    assert (await person.consent("accept"))["remaining"] == {MP_TEMPLATE: 1}
    notification = await accepted_case(running, clerk, person)

    await send_all(running)
    (message,) = sent(wechat, "mp_subscribe", person)
    assert message["touser"] == person.openid and message["template_id"] == MP_TEMPLATE
    assert message["data"]["phrase3"]["value"] == "已受理"
    assert message["data"]["character_string1"]["value"].startswith("YS")
    assert message["page"] == f"pages/applications/detail?id={notification.application_id}"
    await notification.refresh_from_db()
    assert (notification.state, notification.channel) == ("sent", "mp_subscribe")
    # the consent is used up; running again sends nothing twice
    assert (await person.mini.get("/me/subscriptions"))["remaining"] == {MP_TEMPLATE: 0}
    await send_all(running)
    assert len(sent(wechat, to=person)) == 1


async def test_a_transient_failure_is_retried_later_then_sent(service, wechat):
    running, client, clerk = service
    notifier = running.app[notifier_key]
    notifier.clock = clock = Clock(utcnow())
    person = await Person.login(client)
    await person.consent("accept")
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, -1)  # WeChat busy, once
    notification = await accepted_case(running, clerk, person)

    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.attempts) == ("pending", 1)
    assert notification.next_attempt_at > clock.now and "-1" in notification.last_error
    await send_all(running)  # not yet due: no hammering
    assert sent(wechat, to=person) == []
    clock.now += timedelta(minutes=1)
    await send_all(running)
    await notification.refresh_from_db()
    assert notification.state == "sent" and len(sent(wechat, "mp_subscribe", person)) == 1


async def test_a_refused_subscribe_message_falls_back_to_the_official_account(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept")
    await person.says(client, "你好")  # a follower who wrote just now: a customer-service text may go
    await drain_jobs(running.app)  # who is this follower? (the unionid links them to the citizen)
    assert (await Follower.get(openid=person.follower_openid)).citizen_id == person.citizen.id
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, 43101)  # consent withdrawn meanwhile
    notification = await accepted_case(running, clerk, person)

    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.channel) == ("sent", "oa_text")
    assert notification.failed_channels == ["mp_subscribe"] and notification.attempts == 0
    (text,) = sent(wechat, "oa_text", person)
    assert text["touser"] == person.follower_openid and "已受理" in text["text"]["content"]
    assert (await person.mini.get("/me/subscriptions"))["remaining"] == {MP_TEMPLATE: 0}


async def test_outside_the_48_hour_window_a_template_message_goes_instead(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.says(client, "你好")
    await drain_jobs(running.app)
    # WeChat's clock says it closed: for the submission's confirmation and then the acceptance
    fake_wechat.script(wechat.app, "oa_text", person.follower_openid, 45015, 45015)
    notification = await accepted_case(running, clerk, person)

    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.channel, notification.failed_channels) == (
        "sent", "oa_template", ["oa_text"])
    (message,) = sent(wechat, "oa_template", person)
    assert message["template_id"] == OA_TEMPLATE and message["miniprogram"]["appid"] == fake_wechat.APPID
    # WeChat's receipt says the user blocked the account: the outbox shows it was never seen
    await notification.refresh_from_db()
    assert notification.wechat_msgid
    await person.does(client, "", xml=wx.template_receipt_xml(notification.wechat_msgid, "failed:user block",
                                                                sender=person.follower_openid))
    await notification.refresh_from_db()
    assert notification.state == "failed" and "拒收" in notification.last_error

    # two days later nobody tries the text at all
    await Follower.filter(openid=person.follower_openid).update(last_message_at=utcnow() - timedelta(days=3))
    case_id = await person.submitted_case(running)
    await clerk.post(f"/applications/{case_id}/accept")
    await send_all(running)
    assert len(sent(wechat, "oa_template", person)) == 2 and len(sent(wechat, "oa_text", person)) == 0


async def test_an_applicant_out_of_reach_is_recorded_and_can_be_sent_again(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)  # no consent, never followed the official account
    notification = await accepted_case(running, clerk, person)
    await send_all(running)
    await notification.refresh_from_db()
    assert notification.state == "undeliverable" and "未关注公众号" in notification.last_error

    admin = await StaffApi.login(client, f"admin-{uuid.uuid4().hex[:8]}", "admin")
    outbox = await admin.get(f"/notifications?state=undeliverable&application={notification.application_id}")
    assert [n["id"] for n in outbox["items"] if n["kind"] != "received"] == [notification.id]
    assert outbox["counts"]["undeliverable"] >= 1
    await person.consent("accept")  # they allow messages later; the operator sends it again
    assert (await admin.post(f"/notifications/{notification.id}/retry"))["state"] == "pending"
    await send_all(running)
    assert len(sent(wechat, "mp_subscribe", person)) == 1
    await admin.post(f"/notifications/{notification.id}/retry", expect=409)  # sent: never again
    await clerk.get("/notifications", expect=403)


async def test_a_submission_is_confirmed_at_once_without_spending_a_consent(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept")
    await person.says(client, "你好")
    await drain_jobs(running.app)
    case_id = await person.submitted_case(running)
    received = await Notification.get(application_id=case_id, kind="received")
    await send_all(running)
    await received.refresh_from_db()
    assert (received.state, received.channel) == ("sent", "oa_text")
    (text,) = [b for _, b in wechat.app[fake_wechat.SENT] if fake_wechat.is_receipt(b) and b["touser"] == person.follower_openid]
    assert text["text"]["content"].startswith("已收到您的申请") and "前作出受理决定" in text["text"]["content"]
    # the mini-program's one-message consent is kept for the decision
    assert (await person.mini.get("/me/subscriptions"))["remaining"] == {MP_TEMPLATE: 1}


async def test_two_senders_at_once_send_each_notification_once(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept", "accept", "accept")
    mine = [(await accepted_case(running, clerk, person)).id for _ in range(3)]
    await asyncio.gather(send_all(running), send_all(running))
    assert len(sent(wechat, "mp_subscribe", person)) == 3
    assert {n.state for n in await Notification.filter(id__in=mine)} == {"sent"}


async def test_a_stale_access_token_is_fetched_again_not_refreshed_by_force(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept", "accept")
    await accepted_case(running, clerk, person)
    await send_all(running)
    fake_wechat.rotate_token(wechat.app, fake_wechat.APPID)  # as if another client renewed it
    await accepted_case(running, clerk, person)
    await send_all(running)
    assert len(sent(wechat, "mp_subscribe", person)) == 2
    token_calls = [body for name, body in wechat.app[fake_wechat.CALLS]
                   if name == "stable_token" and body["appid"] == fake_wechat.APPID]
    assert len(token_calls) == 2 and not any(body["force_refresh"] for body in token_calls)


async def test_a_sender_that_died_mid_call_is_not_sent_again(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept")
    notification = await accepted_case(running, clerk, person)
    lapsed = utcnow() - timedelta(seconds=sending.LEASE_SECONDS + 1)
    await Notification.filter(id=notification.id).update(state="attempting", claimed_by="dead", claimed_at=lapsed)
    admin = await StaffApi.login(client, f"admin-{uuid.uuid4().hex[:8]}", "admin")
    outbox = await admin.get(f"/notifications?state=attempting&application={notification.application_id}")
    assert [n["id"] for n in outbox["items"]] == [notification.id] and outbox["counts"]["attempting"] >= 1
    await send_all(running)
    await notification.refresh_from_db()
    assert notification.state == "unknown" and sent(wechat, to=person) == []


async def test_a_notification_a_dead_sender_claimed_but_never_offered_to_wechat_is_sent(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept")
    notification = await accepted_case(running, clerk, person)
    held = utcnow() - timedelta(seconds=sending.LEASE_SECONDS - 5)
    await Notification.filter(id=notification.id).update(state="sending", claimed_by="dead", claimed_at=held)
    await send_all(running)  # its lease has not run out yet: nobody else may send it
    assert sent(wechat, to=person) == []
    lapsed = utcnow() - timedelta(seconds=sending.LEASE_SECONDS + 1)
    await Notification.filter(id=notification.id).update(claimed_at=lapsed)
    await send_all(running)
    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.claimed_by) == ("sent", None)
    assert len(sent(wechat, "mp_subscribe", person)) == 1


async def test_a_live_senders_claims_are_renewed_through_a_slow_call(service, wechat):
    running, client, clerk = service
    notifier = running.app[notifier_key]
    notifier.lease = 0.6  # WeChat answers after 1.5 s below: the claim must be renewed twice meanwhile
    person = await Person.login(client)
    await person.consent("accept", "accept")
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, fake_wechat.SLOW)
    notification = await accepted_case(running, clerk, person)
    first = asyncio.create_task(notifier.run())
    await asyncio.sleep(1.0)
    assert (await Notification.get(id=notification.id)).state == "attempting"
    await notifier.run()  # another worker's run: the claim is alive, it is neither resent nor given up
    await first
    await notification.refresh_from_db()
    assert notification.state == "sent" and len(sent(wechat, "mp_subscribe", person)) == 1


async def test_a_bad_rating_goes_to_supervisors_not_to_wechat(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    case_id = await person.submitted_case(running)
    await Notification.create(application_id=case_id, citizen_id=person.citizen.id, kind="bad_rating",
                              payload={"score": 1})
    await send_all(running)
    assert (await Notification.get(application_id=case_id, kind="bad_rating")).state == "internal"
    assert sent(wechat, to=person) == []


async def test_a_send_that_timed_out_is_not_sent_again(service, wechat):
    running, client, clerk = service
    running.app[wechat_key]._mini.timeout = 0.3  # WeChat answers after 1.5 s below
    person = await Person.login(client)
    await person.consent("accept", "accept")
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, fake_wechat.SLOW)
    notification = await accepted_case(running, clerk, person)
    await send_all(running)
    await notification.refresh_from_db()
    # it reached WeChat, whose answer never came: resending could show it twice
    assert notification.state == "unknown" and "ReadTimeout" in notification.last_error
    assert len(sent(wechat, "mp_subscribe", person)) == 1


# where the database fails, once, after WeChat refused the subscribe message for good
AFTER_A_REFUSAL = {
    "dropping the consent": lambda monkeypatch, running, row, person: blips.fail(
        monkeypatch, running.app[notifier_key], "_drop_consent",
        lambda channel, reach: reach.mini_openid == person.openid),
    "offering the next channel": lambda monkeypatch, running, row, person: blips.fail(
        monkeypatch, sending.Claims, "attempting", lambda claims, row_id: row_id == row.id, skip=1),
}


@pytest.mark.parametrize("blip", AFTER_A_REFUSAL.values(), ids=AFTER_A_REFUSAL)
async def test_a_database_blip_after_a_refusal_retries_the_notification_not_unknown(service, wechat, monkeypatch,
                                                                                     blip):
    running, client, clerk = service
    running.app[notifier_key].clock = clock = Clock(utcnow())
    person = await Person.login(client)
    await person.consent("accept")
    await person.says(client, "你好")
    await drain_jobs(running.app)
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, 43101)
    notification = await accepted_case(running, clerk, person)
    failed = blip(monkeypatch, running, notification, person)

    await send_all(running)
    await notification.refresh_from_db()
    # nothing was in flight when the database failed: WeChat had said no
    assert failed and (notification.state, notification.failed_channels) == ("pending", ["mp_subscribe"])
    clock.now += timedelta(minutes=1)
    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.channel) == ("sent", "oa_text")
    assert len(sent(wechat, "oa_text", person)) == 1 and sent(wechat, "mp_subscribe", person) == []


@pytest.mark.parametrize("blips_in_a_row", [1, 2])
async def test_a_database_blip_recording_a_transient_error_retries_the_notification_not_unknown(
        service, wechat, monkeypatch, blips_in_a_row):
    running, client, clerk = service
    running.app[notifier_key].clock = clock = Clock(utcnow())
    person = await Person.login(client)
    await person.consent("accept")
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, -1)  # WeChat busy, once
    notification = await accepted_case(running, clerk, person)
    # the retry is not recorded; twice: not even when the sender notices that, so its claim holds it
    failed = blips.fail(monkeypatch, sending.Claims, "finish",
                        lambda claims, row_id, **values: row_id == notification.id, times=blips_in_a_row)

    await send_all(running)
    await notification.refresh_from_db()
    assert len(failed) == blips_in_a_row and notification.state in ("pending", "sent")
    clock.now += timedelta(minutes=1)
    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.claimed_by) == ("sent", None)
    assert len(sent(wechat, "mp_subscribe", person)) == 1


async def test_a_sender_that_died_after_wechat_refused_sends_the_notification_again(service, wechat, monkeypatch):
    running, client, clerk = service
    notifier = running.app[notifier_key]
    person = await Person.login(client)
    await person.consent("accept")
    await person.says(client, "你好")
    await drain_jobs(running.app)
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, 43101, 43101)
    notification = await accepted_case(running, clerk, person)
    refused = asyncio.Event()

    async def stalls(channel, reach):  # the worker dies here, after WeChat's answer
        refused.set()
        await asyncio.Event().wait()

    monkeypatch.setattr(notifier, "_drop_consent", stalls)
    first = asyncio.create_task(notifier.run())
    await asyncio.wait_for(refused.wait(), 10)
    # WeChat has said no: nothing of it is in flight, so the claim alone holds it
    assert (await Notification.get(id=notification.id)).state == "sending"
    lapsed = utcnow() - timedelta(seconds=sending.LEASE_SECONDS + 1)
    await Notification.filter(id=notification.id).update(claimed_by="dead", claimed_at=lapsed)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    monkeypatch.undo()

    await send_all(running)
    await notification.refresh_from_db()
    assert (notification.state, notification.channel) == ("sent", "oa_text")
    assert len(sent(wechat, "oa_text", person)) == 1 and sent(wechat, "mp_subscribe", person) == []


async def test_a_run_cancelled_mid_call_leaves_that_notification_to_its_lease_not_to_be_resent(service, wechat):
    running, client, clerk = service
    person = await Person.login(client)
    await person.consent("accept", "accept")
    fake_wechat.script(wechat.app, "mp_subscribe", person.openid, fake_wechat.SLOW)
    notification = await accepted_case(running, clerk, person)
    run = asyncio.create_task(running.app[notifier_key].run())
    for _ in range(250):  # WeChat has it; its answer is 1.5 s away
        if sent(wechat, to=person):
            break
        await asyncio.sleep(0.02)
    run.cancel()
    await asyncio.gather(run, return_exceptions=True)
    # what the run lets go of on its way out does not include the call it left under way
    assert (await Notification.get(id=notification.id)).state == "attempting"
    lapsed = utcnow() - timedelta(seconds=sending.LEASE_SECONDS + 1)
    await Notification.filter(id=notification.id).update(claimed_at=lapsed)
    await send_all(running)
    await notification.refresh_from_db()
    assert notification.state == "unknown" and len(sent(wechat, "mp_subscribe", person)) == 1
